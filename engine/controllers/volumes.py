"""Volume binding and protection (placeholder: filled in by its owner)."""

from __future__ import annotations

from engine.controllers.base import Controller


class VolumeController(Controller):
    """PersistentVolume controller (binder + provisioner)."""

    name = "persistentvolume-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""


class PVCProtectionController(Controller):
    """pvc-protection / pv-protection finalizers."""

    name = "pvc-protection-controller"

    def sync(self, key: str) -> None:
        """Reconcile ``key``."""
