"""PlaygroundApp: owns one Cluster, drives its clock, and carries the global keys.

The app renders the store and sends intent; it never holds cluster state. With a
:class:`~engine.clock.RealClock` it runs ``cluster.run()`` as a worker (controllers drain,
timers fire as simulated time passes). With a :class:`~engine.clock.VirtualClock` (tests) it
runs no driver: the caller moves time with ``cluster.advance()``/``settle()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import BindingType
from textual.worker import Worker, WorkerState

from engine.clock import RealClock, VirtualClock
from engine.cluster import Cluster
from engine.result import CommandResult
from tui import saving
from tui.keys import bindings
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.command_bar import CommandBar

THEMES = ("textual-dark", "textual-light")


class PlaygroundApp(App[None]):
    """The statefulset-playground terminal UI."""

    CSS_PATH = Path(__file__).with_name("playground.tcss")
    BINDINGS: ClassVar[list[BindingType]] = bindings("global")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 (Textual's API)
    ENABLE_COMMAND_PALETTE = False
    TITLE = "statefulset-playground"

    def __init__(
        self,
        cluster: Cluster,
        *,
        namespace: str = "default",
        startup_errors: list[str] | None = None,
        dns_address: str | None = None,
        save_plan: saving.SavePlan | None = None,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        self.namespace = namespace
        self.startup_errors = list(startup_errors or [])
        self.dns_address = dns_address
        self.save_plan = save_plan or saving.SavePlan()
        """Where saves go (tui.saving); the default saves nothing on quit."""
        saving.track_session(cluster, namespace)
        self.theme = THEMES[0]

    def on_mount(self) -> None:
        """Show the main screen, start the engine, report startup errors."""
        self.push_screen(self.make_main_screen())
        if not isinstance(self.cluster.clock, VirtualClock):
            self.run_worker(self.cluster.run(), name="engine", group="engine", exit_on_error=False)
        for error in self.startup_errors:
            self.notify(error, title="Startup", severity="error", timeout=15)

    def make_main_screen(self) -> MainScreen:
        """The screen pushed at start (hook: tui.exercise_app adds the exercise panel)."""
        return MainScreen(self.cluster, self.namespace, self.dns_address)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An engine or bridge failure is reported, not lost."""
        if event.state == WorkerState.ERROR:
            self.notify(
                f"{event.worker.name} stopped: {event.worker.error}",
                title="Engine error",
                severity="error",
                timeout=30,
            )

    # -- clock ----------------------------------------------------------------------------
    def _real_clock(self) -> RealClock | None:
        clock = self.cluster.clock
        if isinstance(clock, RealClock):
            return clock
        self.notify("The virtual clock moves only when stepped (.)", severity="warning")
        return None

    def action_toggle_pause(self) -> None:
        """Pause or resume simulated time."""
        if clock := self._real_clock():
            clock.resume() if clock.paused else clock.pause()
            self._status()

    def action_slower(self) -> None:
        """Halve the speed."""
        if clock := self._real_clock():
            clock.set_speed(clock.speed / 2)
            self._status()

    def action_faster(self) -> None:
        """Double the speed."""
        if clock := self._real_clock():
            clock.set_speed(clock.speed * 2)
            self._status()

    def action_step(self) -> None:
        """While paused: jump to the next timer and let the controllers react."""
        clock = self.cluster.clock
        if isinstance(clock, RealClock) and not clock.paused:
            self.notify("Pause first (space), then step with .", severity="warning")
            return
        if not self.cluster.step():
            self.notify("Nothing scheduled: the cluster is idle")
        self._status()

    def _status(self) -> None:
        if isinstance(self.screen, MainScreen):
            self.screen.update_status()

    # -- screens and theme ----------------------------------------------------------------
    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_command_bar(self) -> None:
        """Open the ``:`` command bar."""
        if isinstance(self.screen, MainScreen):
            self.screen.query_one(CommandBar).open()

    def action_toggle_theme(self) -> None:
        """Switch between the dark and the light theme."""
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    # -- saving (tui.saving) --------------------------------------------------------------
    async def action_quit(self) -> None:
        """Save (``--save FILE`` and the autosave), then quit; a failed ``--save`` holds the
        first quit back with a message."""
        held = saving.save_on_quit(self.cluster, self.save_plan)
        if held:
            self.notify(held, title="Not saved", severity="error", timeout=20)
            return
        self.exit()

    def action_save(self) -> None:
        """Save now to ``--save FILE``, else the autosave file."""
        path = self.save_plan.default
        if path is None:
            self.notify("No save file: use :save FILE", severity="warning")
            return
        problem = saving.save(self.cluster, path)
        if problem:
            self.notify(problem, title="Not saved", severity="error", timeout=20)
        else:
            self.notify(f"Saved to {path}", title="Saved")

    def app_command(self, line: str) -> CommandResult | None:
        """A command-bar line the app runs itself (``save [FILE]``), or None."""
        return saving.save_command(self.cluster, self.save_plan, line)
