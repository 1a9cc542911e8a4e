"""The main screen: every panel, the nslookup pane, the command bar and the status bar.

Composition and the glue between panels live here so ``app.py`` stays small. The screen:

* owns the :class:`~tui.bridge.Bridge` worker and, on each coalesced
  :class:`~tui.messages.ObjectsChanged`, refreshes only the panels showing those kinds (inside
  one ``batch_update``) and re-runs pinned DNS queries when the DNS table's inputs changed;
* ticks ages and the status bar on timers (ages are read from the simulated clock);
* carries out :class:`~tui.messages.IntentRequested` from the panels through
  :mod:`tui.intents`, turning engine errors into notifications.

Wide terminals (≥ 120 columns) get two columns; narrower ones stack the panels and give the
focused one the room (``-narrow`` in ``playground.tcss``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from engine.clock import RealClock
from engine.cluster import Cluster
from tui import gc_pause, intents
from tui.bridge import Bridge
from tui.dialogs.confirm import ConfirmDialog
from tui.messages import IntentRequested, ObjectsChanged
from tui.rows import Ref
from tui.screens.viewer import TextViewer
from tui.widgets.command_bar import CommandBar, CommandOutput
from tui.widgets.events import EventsPanel
from tui.widgets.key_bar import KeyBar
from tui.widgets.nslookup import DNS_KINDS, NslookupPane
from tui.widgets.panel import ResourcePanel
from tui.widgets.pods import PodsPanel
from tui.widgets.services import ServicesPanel
from tui.widgets.status_bar import StatusBar
from tui.widgets.volumes import VolumesPanel
from tui.widgets.workloads import WorkloadsPanel

#: seconds (real time) between age / status refreshes
AGE_TICK = 1.0
STATUS_TICK = 0.25
#: with a real clock, store changes reach the panels at most this often (a burst of pods
#: growing a table re-lays the screen out; five frames a second keep keys responsive)
FRAME = 0.2


class MainScreen(Screen[None]):
    """The playground."""

    def __init__(self, cluster: Cluster, namespace: str, dns_address: str | None) -> None:
        super().__init__(id="main")
        self.cluster = cluster
        self.namespace = namespace
        self.dns_address = dns_address
        self.bridge = Bridge(cluster.store, self)
        self._pending: ObjectsChanged | None = None
        self._frame = FRAME if isinstance(cluster.clock, RealClock) else 0.0
        self._gc_was_enabled = False

    def compose(self) -> ComposeResult:
        """Panels in two columns, then the bars."""
        self._gc_was_enabled = gc_pause.pause()  # until on_mount: the first fill allocates a lot
        ns, cluster = self.namespace, self.cluster
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield WorkloadsPanel(cluster, ns, id="workloads")
                yield PodsPanel(cluster, ns, id="pods")
                yield EventsPanel(cluster, ns, id="events")
            with Vertical(id="right"):
                yield ServicesPanel(cluster, ns, id="services")
                yield VolumesPanel(cluster, ns, id="volumes")
                yield NslookupPane(cluster, ns)
        yield CommandOutput()
        yield CommandBar(cluster, ns)
        yield StatusBar(ns, self.dns_address)
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        """Start the bridge and the tickers; focus the pods panel."""
        gc_pause.freeze_long_lived()  # the panels are filled: cluster and rows are long-lived
        gc_pause.resume(self._gc_was_enabled)
        self._gc_was_enabled = False
        self.run_worker(self.bridge.run(), name="bridge", group="bridge", exit_on_error=False)
        self.set_interval(AGE_TICK, self.tick_ages)
        self.set_interval(STATUS_TICK, self.update_status)
        self.update_status()
        self.app.theme_changed_signal.subscribe(self, self._restyle)
        self.query_one("#pods-table").focus()

    def on_unmount(self) -> None:
        """A screen that closes before it was mounted still gives the collector back."""
        gc_pause.resume(self._gc_was_enabled)
        self._gc_was_enabled = False

    # -- store → view ---------------------------------------------------------------------
    @property
    def panels(self) -> list[ResourcePanel]:
        """The five resource panels."""
        return list(self.query(ResourcePanel))

    @on(ObjectsChanged)
    def _objects_changed(self, message: ObjectsChanged) -> None:
        if self._pending is None:
            self._pending = message
            if self._frame:
                self.set_timer(self._frame, self._apply_changes)
            else:
                self._apply_changes()
        else:  # a frame is already scheduled: fold this change into it
            self._pending.can_replace(message)
            self._pending = message

    def _apply_changes(self) -> None:
        message, self._pending = self._pending, None
        if message is None:
            return
        with self.app.batch_update():
            for panel in self.panels:
                if panel.concerned(message.kinds, message.comings):
                    panel.refresh_view()
            if DNS_KINDS & message.kinds:
                self.query_one(NslookupPane).rerun_pinned()
        self.bridge.handled(message)

    def refresh_panels(self) -> None:
        """Re-read the store into every panel."""
        with self.app.batch_update():
            for panel in self.panels:
                panel.refresh_view()

    def tick_ages(self) -> None:
        """Ages move with the simulated clock."""
        with self.app.batch_update():
            for panel in self.panels:
                panel.tick()

    def update_status(self) -> None:
        """Clock, speed, pause state."""
        self.query_one(StatusBar).update_from(self.cluster.clock)

    def _restyle(self, _theme: Any) -> None:
        for panel in self.panels:
            panel.table.restyle()
        self.query_one(NslookupPane).restyle()

    # -- intents --------------------------------------------------------------------------
    @on(IntentRequested)
    def _intent(self, event: IntentRequested) -> None:
        event.stop()
        ref, verb = event.ref, event.verb
        if verb in ("describe", "yaml"):
            self.view(verb, ref)
        elif verb in ("delete", "force_delete"):
            self.confirm_delete(ref, force=verb == "force_delete")
        elif verb == "scale":
            self.perform(intents.scale, ref, event.arg)
        else:
            actions: dict[str, Callable[[Cluster, Ref], str]] = {
                "toggle_readiness": intents.toggle_readiness,
                "crash": intents.crash,
                "toggle_node": intents.toggle_node,
            }
            self.perform(actions[verb], ref)

    def perform(self, action: Callable[..., str], *args: Any, **kwargs: Any) -> None:
        """Run an intent; show its message, or its error as an error notification."""
        try:
            message = action(self.cluster, *args, **kwargs)
        except Exception as exc:  # an engine error is a notification, never a crash
            self.notify(str(exc) or type(exc).__name__, title=type(exc).__name__, severity="error")
            return
        self.notify(message)

    def view(self, verb: str, ref: Ref) -> None:
        """Open describe or YAML for ``ref``."""
        if verb == "describe":
            text, error = intents.describe_text(self.cluster, ref)
            title = f"describe {ref.kind.lower()}/{ref.name}"
        else:
            text, error = intents.yaml_text(self.cluster, ref)
            title = f"{ref.kind.lower()}/{ref.name} -o yaml"
        self.app.push_screen(TextViewer(title, text, error=error))

    def confirm_delete(self, ref: Ref, *, force: bool) -> None:
        """Ask, then delete ``ref``."""
        verb = "Force-delete" if force else "Delete"
        where = f" in {ref.namespace}" if ref.namespace else ""
        question = f"{verb} {ref.kind} {ref.name}{where}?"
        if force:
            question += "\nThe object is removed at once, without waiting for its containers."

        def done(yes: bool | None) -> None:
            if yes:
                self.perform(intents.delete, ref, force=force)

        self.app.push_screen(ConfirmDialog(verb, question), done)

    def unpin(self, number: int) -> None:
        """Unpin a pinned query by number (used by click actions)."""
        self.query_one(NslookupPane).unpin(str(number))
