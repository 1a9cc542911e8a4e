"""Simulated files inside pods: volume contents that outlive pods, plus the container's own
ephemeral filesystem (placeholder: filled in by its owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cluster import Cluster


class FsError(Exception):
    """A file operation failed; the message is what busybox would print."""


def read_file(cluster: Cluster, namespace: str, pod: str, path: str) -> str:
    """Contents of ``path`` as seen from ``pod``'s (first) container."""
    raise NotImplementedError


def write_file(
    cluster: Cluster, namespace: str, pod: str, path: str, text: str, append: bool = False
) -> None:
    """Write (or append) ``text`` to ``path`` inside ``pod``."""
    raise NotImplementedError


def list_dir(cluster: Cluster, namespace: str, pod: str, path: str) -> list[str]:
    """Entry names in directory ``path`` inside ``pod`` (sorted)."""
    raise NotImplementedError
