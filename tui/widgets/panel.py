"""The base of the five resource panels: a filter box over a titled, keyed table.

The border and title belong to the table, not the panel, so focus styling is the table's own
``:focus`` (a ``:focus-within`` on the panel would restyle the whole subtree on every tab).

A panel knows which kinds it shows (:attr:`ResourcePanel.KINDS`) and how to turn the store into
rows (:meth:`ResourcePanel.build_lines`). It never holds cluster state: :meth:`refresh_view`
re-reads the store and lets the table apply the difference. Keys on a panel post
:class:`~tui.messages.IntentRequested`; the screen carries the intent out.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input

from engine.cluster import Cluster
from engine.store import Store
from tui.format import plain
from tui.gc_pause import gc_paused
from tui.keys import bindings
from tui.messages import IntentRequested
from tui.rows import Line, Memo
from tui.widgets.resource_table import ResourceTable


class FilterInput(Input):
    """The ``/`` box of a panel."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("filter")

    def action_close_filter(self) -> None:
        """Clear and hide the filter."""
        self.value = ""
        self.post_message(self.Submitted(self, ""))

    def action_accept_filter(self) -> None:
        """Keep the filter, go back to the table."""
        self.post_message(self.Submitted(self, self.value))


class ResourcePanel(Vertical):
    """A panel of one or more kinds."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("panel")
    TITLE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    KINDS: ClassVar[frozenset[str]] = frozenset()
    COMINGS: ClassVar[frozenset[str]] = frozenset()
    """Kinds that matter only when an object comes or goes (not when it is modified)."""

    filter_text: reactive[str] = reactive("")
    """Rows whose text (or whose group's text) contains this, case-insensitive, are shown."""

    def __init__(self, cluster: Cluster, namespace: str | None, *, id: str) -> None:
        super().__init__(id=id)
        self.cluster = cluster
        self.namespace = namespace
        self.memo = Memo()
        """Rows of unchanged objects, reused across refreshes."""

    def compose(self) -> ComposeResult:
        """Filter box (hidden until ``/``) above the table."""
        yield FilterInput(placeholder="filter…", classes="filter")
        yield ResourceTable(self.COLUMNS, id=f"{self.id}-table")

    @property
    def table(self) -> ResourceTable:
        """The panel's table."""
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        """First fill."""
        self.refresh_view()

    # -- content --------------------------------------------------------------------------
    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """The panel's rows, in display order."""
        raise NotImplementedError

    def summary(self, lines: list[Line]) -> str:
        """Text for the bottom border (counts)."""
        return str(len(lines))

    def refresh_view(self) -> None:
        """Re-read the store and update the table in place."""
        now = self.cluster.clock.wall()
        table = self.table
        with gc_paused():
            lines = self.build_lines(self.cluster.store, self.namespace, now)
            shown = self._filtered(lines) if self.filter_text else lines
            table.show_lines(shown, now)
        title = f"{self.TITLE} · {self.summary(lines)}"
        subtitle = ""
        if self.filter_text:
            subtitle = f"/{self.filter_text} · {len(shown)} of {len(lines)} shown"
        if table.border_title != title:  # setting a title repaints, even when unchanged
            table.border_title = title
        if table.border_subtitle != subtitle:
            table.border_subtitle = subtitle

    def concerned(self, kinds: set[str], comings: set[str]) -> bool:
        """Whether a change of ``kinds`` (``comings``: added or deleted) can alter the rows."""
        return bool(self.KINDS & kinds or self.COMINGS & comings)

    def tick(self) -> None:
        """Ages follow the clock."""
        self.table.tick(self.cluster.clock.wall())

    def _filtered(self, lines: list[Line]) -> list[Line]:
        needle = self.filter_text.lower()
        groups = {
            _group(line.key)
            for line in lines
            if any(needle in plain(c).lower() for c in line.cells)
        }
        return [line for line in lines if _group(line.key) in groups]

    def watch_filter_text(self) -> None:
        """Re-filter."""
        if self.is_mounted:
            self.refresh_view()

    # -- keys -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        """Open the filter box."""
        self.add_class("-filtering")
        box = self.query_one(FilterInput)
        box.value = self.filter_text
        box.focus()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.filter_text = event.value
        self.set_class(bool(event.value), "-filtering")
        self.table.focus()

    def request(self, verb: str, arg: int = 0) -> None:
        """Ask the screen to do ``verb`` on the selected object."""
        ref = self.table.selected_ref
        if ref is None:
            self.notify("Nothing selected", severity="warning")
            return
        self.post_message(IntentRequested(verb, ref, arg))

    @on(ResourceTable.Chosen)
    def _row_chosen(self, event: ResourceTable.Chosen) -> None:
        event.stop()
        self.request("describe")

    def action_describe(self) -> None:
        """Describe the selected object."""
        self.request("describe")

    def action_yaml(self) -> None:
        """Show the selected object as YAML."""
        self.request("yaml")

    def action_delete(self) -> None:
        """Delete the selected object (after confirmation)."""
        self.request("delete")

    def action_force_delete(self) -> None:
        """Force-delete the selected object (after confirmation)."""
        self.request("force_delete")


def _group(key: str) -> str:
    """Rows of one group (a Service and its endpoints) share the first three key parts."""
    return "/".join(key.split("/")[:3])
