"""API-server defaulting and validation on every write (placeholder: filled in by its owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cluster import Cluster


def install(cluster: Cluster) -> None:
    """Register the admission hooks (defaults, immutable fields) on ``cluster.store``."""
