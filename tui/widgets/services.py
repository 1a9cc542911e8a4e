"""Services panel: type, cluster IP and ports, with the live endpoints under each Service."""

from __future__ import annotations

from datetime import datetime

from engine.store import Store
from tui.rows import Line
from tui.rows_network import SERVICE_COLUMNS, service_lines
from tui.widgets.panel import ResourcePanel


class ServicesPanel(ResourcePanel):
    """Services and their endpoints (ready ● / not ready ◐ / terminating ◌)."""

    TITLE = "Services"
    COLUMNS = SERVICE_COLUMNS
    KINDS = frozenset({"Service", "Endpoints", "EndpointSlice"})

    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """Each Service followed by its endpoints."""
        return service_lines(store, namespace, now)

    def summary(self, lines: list[Line]) -> str:
        """``2 services``."""
        count = sum(1 for line in lines if line.key.count("/") == 2)
        return f"{count} · endpoints below each"
