"""nslookup / dig / host as the real tools print them (placeholder: filled in by its owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.result import CommandResult

if TYPE_CHECKING:
    from engine.cluster import Cluster


def run_nslookup(
    cluster: Cluster, argv: list[str], namespace: str = "default", flavor: str = "busybox"
) -> CommandResult:
    """Run ``nslookup`` (argv without the program name) from a pod in ``namespace``."""
    raise NotImplementedError


def run_dig(cluster: Cluster, argv: list[str], namespace: str = "default") -> CommandResult:
    """Run bind's ``dig`` from a pod in ``namespace``."""
    raise NotImplementedError


def run_host(cluster: Cluster, argv: list[str], namespace: str = "default") -> CommandResult:
    """Run bind's ``host`` from a pod in ``namespace``."""
    raise NotImplementedError


def resolv_conf(cluster: Cluster, namespace: str) -> str:
    """The /etc/resolv.conf the kubelet writes for a ClusterFirst pod in ``namespace``."""
    raise NotImplementedError
