"""Garbage collector (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class GarbageCollector(Controller):
    """Garbage collector"""

    name = "garbage-collector"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
