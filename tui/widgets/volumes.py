"""Volumes panel: PVCs (status, volume, capacity, the pod using them), then PVs."""

from __future__ import annotations

from datetime import datetime

from engine.store import Store
from tui.rows import Line
from tui.rows_storage import VOLUME_COLUMNS, volume_lines
from tui.widgets.panel import ResourcePanel


class VolumesPanel(ResourcePanel):
    """PersistentVolumeClaims and PersistentVolumes."""

    TITLE = "Volumes"
    COLUMNS = VOLUME_COLUMNS
    KINDS = frozenset({"PersistentVolumeClaim", "PersistentVolume"})
    COMINGS = frozenset({"Pod"})  # USED BY changes when a pod comes or goes

    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """Claims, then volumes."""
        return volume_lines(store, namespace, now, self.memo)

    def summary(self, lines: list[Line]) -> str:
        """``3 claims · 3 volumes``."""
        claims = sum(1 for line in lines if line.ref.kind == "PersistentVolumeClaim")
        return f"{claims} claims · {len(lines) - claims} volumes"
