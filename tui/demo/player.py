"""The scenario played through the app's own widgets.

Commands are typed into the ``:`` command bar and submitted, keys are pressed as the viewer
would press them (after focusing the step's panel and selecting its row), queries are pinned
in the nslookup pane, captions go to the caption bar. Pauses and waits are left to a pacer
(:mod:`tui.demo.pacing`), so the same player runs live and into a recording.

The viewer steers: :meth:`AppPlayer.toggle_pause` freezes the script and the clock,
:meth:`AppPlayer.step_forward` ends the current pause or wait (or, while paused, runs one
step), :meth:`AppPlayer.take_over` stops the script for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from engine.clock import RealClock
from engine.scenarios import Scenario, Step
from engine.scenarios.conditions import Before, timeout_message, wait_predicate
from tui.demo.caption import CaptionBar
from tui.demo.pacing import Pacer
from tui.widgets.command_bar import CommandBar, CommandOutput
from tui.widgets.history_input import HistoryInput
from tui.widgets.nslookup import NslookupPane
from tui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from tui.demo.app import DemoApp

State = Literal["ready", "playing", "paused", "done", "taken", "failed"]

#: the label of each state in the caption bar
STATE_TEXT: dict[State, str] = {
    "ready": "◌ ready",
    "playing": "▶ playing",
    "paused": "❚❚ paused",
    "done": "■ the demo is over — the keyboard is yours",
    "taken": "✋ you have the keyboard",
    "failed": "✗ the demo stopped",
}

#: recordings: cast seconds a new caption, and a typed command, stay before what follows
CAPTION_HOLD = 1.5
TYPED_HOLD = 0.6

#: the panel that shows each kind, for ``select``
PANEL_OF = {
    "StatefulSet": "workloads",
    "Deployment": "workloads",
    "Pod": "pods",
    "Service": "services",
    "PersistentVolumeClaim": "volumes",
}
ROW_KIND = {"PersistentVolumeClaim": "PVC"}


class DemoFailed(RuntimeError):
    """A step could not be carried out (a wait timed out)."""


class AppPlayer:
    """Plays ``scenario`` in ``app`` with ``pacer``."""

    def __init__(
        self, app: DemoApp, scenario: Scenario, pacer: Pacer, *, last: int | None = None
    ) -> None:
        self.app = app
        self.scenario = scenario
        self.pacer = pacer
        self.last = last
        """Stop after this step number (a slice); None plays every step."""
        self.state: State = "ready"
        self.index = 0
        """Steps started so far (the current step's number)."""
        self.error = ""
        self.on_step: Callable[[Step], object] | None = None
        """Called after each step's beat (the recorder writes an SVG there)."""
        self._before = Before(scenario)
        self._gate_open = asyncio.Event()
        self._gate_open.set()
        self._at_gate = False
        self._step_once = False

    # -- the viewer ---------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the script still holds the keyboard."""
        return self.state in ("ready", "playing", "paused")

    def toggle_pause(self) -> None:
        """Pause (script and clock) or resume."""
        if self.state == "playing":
            self.state = "paused"
            self._gate_open.clear()
            self._clock_pause(True)
        elif self.state == "paused":
            self.state = "playing"
            self._gate_open.set()
            self._clock_pause(False)
        self._show_state()

    def step_forward(self) -> None:
        """End the current pause or wait; while paused at a step boundary, run one step."""
        self.pacer.skip.set()
        if self.state == "paused" and self._at_gate:
            self._step_once = True
            self._gate_open.set()

    def take_over(self) -> None:
        """Stop the script; the viewer drives from here (the clock runs again)."""
        if not self.active:
            return
        self.state = "taken"
        self._clock_pause(False)
        self._show_state()

    def _clock_pause(self, pause: bool) -> None:
        clock = self.app.cluster.clock
        if isinstance(clock, RealClock) and clock.paused != pause:
            clock.pause() if pause else clock.resume()

    # -- playing --------------------------------------------------------------------------
    @property
    def caption_bar(self) -> CaptionBar:
        """The caption bar on the main screen."""
        return self.app.screen.query_one(CaptionBar)

    def _show_state(self) -> None:
        self.caption_bar.show_state(self.index, STATE_TEXT[self.state], hint=self.active)

    async def run(self) -> None:
        """Play every step; stops early when the viewer takes over or a step fails."""
        self.state = "playing"
        self._show_state()
        await self.pacer.frame()
        for step in self.scenario.steps:
            await self._gate()
            if not self.active:
                return
            self.index = step.number
            self._show_state()
            try:
                await self._play(step)
            except DemoFailed as exc:
                self._fail(step, str(exc))
                return
            if not self.active:
                return
            if step.visible:
                await self._let_pass(self.scenario.beat)
            if self.on_step is not None:
                self.on_step(step)
            if step.number == self.last:
                break
        self.state = "done"
        self._show_state()
        await self.pacer.frame()

    def _fail(self, step: Step, message: str) -> None:
        self.state = "failed"
        self.error = f"{self.scenario.path}: step {step.number}: {message}"
        self.caption_bar.show_caption(f"step {step.number}: {message}")
        self._show_state()

    async def _gate(self) -> None:
        self._at_gate = True
        while self.state == "paused" and not self._step_once:
            await self._gate_open.wait()
            if self.state == "paused" and not self._step_once:
                self._gate_open.clear()
        self._step_once = False
        self._at_gate = False
        self.pacer.skip.clear()

    async def _let_pass(self, seconds: float) -> None:
        self.pacer.skip.clear()
        await self.pacer.let_pass(seconds)

    async def _play(self, step: Step) -> None:
        if step.kind in ("command", "keys"):
            self._before.command(self.app.cluster, step)
        if step.kind == "caption":
            self.caption_bar.show_caption(step.text)
            await self.pacer.frame(hold=CAPTION_HOLD)
            return
        elif step.kind == "command":
            await self._command(step.text)
        elif step.kind == "keys":
            await self._keys(step)
        elif step.kind == "pin":
            self._close_output()
            self.app.screen.query_one(NslookupPane).run_line(f"pin {step.text}")
        elif step.kind == "pause":
            await self._let_pass(step.seconds)
            return
        elif step.kind == "wait" and step.wait is not None:
            met = wait_predicate(self.app.cluster, self.scenario.namespace, step.wait, self._before)
            self.pacer.skip.clear()
            if not await self.pacer.until(met, step.wait.timeout):
                raise DemoFailed(timeout_message(step.wait))
            return
        await self.pacer.frame()

    async def _command(self, line: str) -> None:
        bar = self.app.screen.query_one(CommandBar)
        bar.open()
        box = bar.query_one(HistoryInput)
        box.value = line
        box.cursor_position = len(line)
        await self.pacer.frame(hold=TYPED_HOLD)
        await self.app.scripted.press(self.app, ("enter",))

    async def _keys(self, step: Step) -> None:
        self._close_output()
        screen = self.app.screen
        panel = step.focus
        if step.select is not None:
            kind, name = step.select
            panel = panel or PANEL_OF.get(kind)
        if panel is not None:
            table = screen.query_one(f"#{panel}-table", ResourceTable)
            table.focus()
            if step.select is not None:
                kind, name = step.select
                table.select_key(f"{ROW_KIND.get(kind, kind)}/{self.scenario.namespace}/{name}")
        await self.app.scripted.press(self.app, step.keys)

    def _close_output(self) -> None:
        output = self.app.screen.query_one(CommandOutput)
        if output.has_class("-visible"):
            output.action_close()
