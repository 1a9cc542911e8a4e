"""Manifests: YAML in, objects out (placeholder: filled in by its owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cluster import Cluster


class ManifestError(ValueError):
    """Invalid manifest input; nothing was applied."""


def apply(cluster: Cluster, source: str, text: str | None = None) -> list[str]:
    """Apply manifests from ``source`` (a path) or ``text``."""
    raise NotImplementedError
