"""Scheduler (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class Scheduler(Controller):
    """Scheduler"""

    name = "default-scheduler"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
