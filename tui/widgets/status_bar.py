"""The status bar: simulated clock, speed and pause state, DNS server address, namespace."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from engine.clock import Clock, RealClock
from tui.format import clock_text, speed_text


class StatusBar(Horizontal):
    """One line at the bottom; :meth:`update_from` reads the clock."""

    def __init__(self, namespace: str, dns_address: str | None) -> None:
        super().__init__(id="status-bar")
        self.namespace = namespace
        self.dns_address = dns_address

    def compose(self) -> ComposeResult:
        """Clock, run state, namespace and DNS address labels."""
        yield Label(id="sim-clock")
        yield Label(id="run-state")
        yield Label(f"ns {self.namespace}", id="namespace")
        if self.dns_address:
            yield Label(f"DNS {self.dns_address}", id="dns-address")

    def update_from(self, clock: Clock) -> None:
        """Show ``clock``'s time, speed and pause state."""
        # the clock's text has a fixed width: no relayout four times a second
        self.query_one("#sim-clock", Label).update(f"◷ {clock_text(clock.wall())}", layout=False)
        state = self.query_one("#run-state", Label)
        if isinstance(clock, RealClock):
            paused = clock.paused
            icon = "❚❚ paused" if paused else "▶ running"
            text = f"{icon} {speed_text(clock.speed)}"
        else:
            paused, text = False, "▷ virtual clock"
        if str(state.content) != text:
            state.update(text)
            state.set_class(paused, "-paused")
