"""The command language: kubectl subset, nslookup/dig/host, sleep and the fault verbs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.result import CommandResult

if TYPE_CHECKING:
    from engine.cluster import Cluster


def run(cluster: Cluster, line: str, namespace: str = "default") -> CommandResult:
    """Run one command line against ``cluster`` (placeholder: filled in by its owner)."""
    raise NotImplementedError
