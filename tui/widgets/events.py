"""Events panel: newest first, with kubectl's columns."""

from __future__ import annotations

from datetime import datetime

from engine.store import Store
from tui.rows import Line
from tui.rows_storage import EVENT_COLUMNS, event_lines
from tui.widgets.panel import ResourcePanel


class EventsPanel(ResourcePanel):
    """The namespace's events, newest on top."""

    TITLE = "Events"
    COLUMNS = EVENT_COLUMNS
    KINDS = frozenset({"Event"})

    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """Newest first."""
        return event_lines(store, namespace, now, self.memo)
