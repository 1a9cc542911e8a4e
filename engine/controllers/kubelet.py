"""Kubelet simulation (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class Kubelet(Controller):
    """Kubelet simulation."""

    name = "kubelet"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""

    def set_readiness_fault(self, namespace: str, pod: str, fail: bool) -> None:
        """Make the pod's readiness probe fail or pass."""
        raise NotImplementedError

    def crash(self, namespace: str, pod: str) -> None:
        """Crash the pod's container."""
        raise NotImplementedError
