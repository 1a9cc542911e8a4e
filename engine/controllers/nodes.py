"""Node lifecycle (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class NodeLifecycleController(Controller):
    """Node lifecycle controller."""

    name = "node-lifecycle"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""

    def set_down(self, node: str, down: bool) -> None:
        """Take the node's kubelet away (down) or bring it back."""
        raise NotImplementedError
