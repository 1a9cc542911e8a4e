"""Deployment controller (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class DeploymentController(Controller):
    """Deployment controller"""

    name = "deployment-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
