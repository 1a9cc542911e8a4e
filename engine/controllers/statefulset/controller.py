"""StatefulSet controller (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class StatefulSetController(Controller):
    """StatefulSet controller"""

    name = "statefulset-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
