"""ReplicaSet controller (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class ReplicaSetController(Controller):
    """ReplicaSet controller"""

    name = "replicaset-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
