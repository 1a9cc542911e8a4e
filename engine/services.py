"""Service ClusterIP allocation (placeholder: filled in by its owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cluster import Cluster


def install(cluster: Cluster) -> None:
    """Register the Service admission hook (ClusterIP allocation) on ``cluster.store``."""
