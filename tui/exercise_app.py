"""``stsplay exercise NAME``: the playground with an exercise panel.

:class:`ExerciseApp` is the :class:`~tui.app.PlaygroundApp` whose main screen
(:class:`ExerciseScreen`, through the app's ``make_main_screen`` hook) adds the
:class:`~tui.widgets.exercise_panel.ExercisePanel` to the body and the exercise keys: ``h``
reveals the current task's next hint, ``i`` shows the introduction again, ``ctrl+r`` resets.

**Reset** starts over from a *fresh* cluster built from the exercise's manifests and setup
(:func:`engine.exercises.runner.build_cluster`): the app swaps its one ``cluster`` for the new
one, restarts the engine worker on it, and replaces the main screen (whose panels, bridge and
command bar all belong to the old cluster). Hints already revealed stay revealed.

**Saving**: the app tracks its progress for save files (:mod:`engine.exercises.saved`), so
quitting (which autosaves, :mod:`tui.saving`) keeps the exercise, its done tasks and shown
hints; ``stsplay --resume`` reopens it (:mod:`tui.resume` passes ``progress`` and
``started_at`` back in).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from engine import persist
from engine.clock import VirtualClock
from engine.cluster import Cluster
from engine.exercises import ExerciseError, build_cluster, load_exercise, manifests_dir, saved
from engine.exercises.model import Exercise
from engine.exercises.runner import Progress
from tui import messages
from tui.app import PlaygroundApp
from tui.dialogs.confirm import ConfirmDialog
from tui.saving import SavePlan, save_on_exit, track_session
from tui.screens.main import MainScreen
from tui.widgets.command_bar import CommandOutput
from tui.widgets.exercise_panel import ExercisePanel

#: seconds (real time) between re-evaluations that no store change triggers (files)
EVALUATE_TICK = 1.0


class IntroScreen(ModalScreen[None]):
    """The exercise's introduction (Markdown)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q,i", "close", "Close")]

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        """The introduction, scrollable."""
        with VerticalScroll(id="intro-box") as box:
            box.border_title = self.exercise.title
            box.border_subtitle = "esc or enter to start"
            yield Markdown(self.exercise.introduction, id="intro-text")

    def action_close(self) -> None:
        """Back to the playground."""
        self.dismiss(None)


class ExerciseScreen(MainScreen):
    """The main screen plus the exercise panel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "hint", "Hint"),
        Binding("i", "intro", "Intro", show=False),
        Binding("ctrl+r", "reset", "Reset exercise", key_display="^r"),
    ]

    def __init__(
        self, cluster: Cluster, namespace: str, progress: Progress, started_at: float
    ) -> None:
        super().__init__(cluster, namespace, None)
        self.progress = progress
        self.started_at = started_at

    @property
    def exercise_panel(self) -> ExercisePanel:
        """The panel."""
        return self.query_one(ExercisePanel)

    def on_mount(self) -> None:
        """Add the panel to the body; re-evaluate on a slow timer too."""
        panel = ExercisePanel(self.progress, started_at=self.started_at)
        self.query_one("#body").mount(panel)
        self.set_interval(EVALUATE_TICK, self._tick)

    def _tick(self) -> None:
        if self.is_attached and self.query(ExercisePanel):
            self.exercise_panel.evaluate()

    def on_objects_changed(self, _message: messages.ObjectsChanged) -> None:
        """The store changed (coalesced by the bridge): re-run the checks."""
        self._tick()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A command's output was just shown: what it did may be invisible to the store
        (a file written with ``kubectl exec``), so re-run the checks now."""
        if isinstance(event.widget, CommandOutput):
            self._tick()

    def action_hint(self) -> None:
        """Reveal the next hint."""
        self.exercise_panel.show_next_hint()

    def action_intro(self) -> None:
        """Show the introduction again."""
        self.app.push_screen(IntroScreen(self.progress.exercise))

    def action_reset(self) -> None:
        """Ask, then start over from the exercise's starting state."""
        app = self.app
        assert isinstance(app, ExerciseApp)

        async def done(yes: bool | None) -> None:
            if yes:
                await app.reset()

        question = "Start over from the exercise's starting state?\nYour changes are lost."
        app.push_screen(ConfirmDialog("Reset", question), done)


class ExerciseApp(PlaygroundApp):
    """The playground on an exercise's cluster, with the exercise panel."""

    def __init__(
        self,
        exercise: Exercise,
        cluster: Cluster,
        *,
        seed: int = 0,
        speed: float | None = None,
        show_intro: bool = True,
        progress: Progress | None = None,
        started_at: float | None = None,
        save_plan: SavePlan | None = None,
    ) -> None:
        super().__init__(cluster, namespace=exercise.namespace, save_plan=save_plan)
        self.exercise = exercise
        self.seed = seed
        self.speed = speed
        """None: a VirtualClock (tests); else the RealClock speed a reset starts with."""
        self.show_intro = show_intro
        self.progress = progress or Progress(exercise, cluster)
        """Resumed from a save (``progress``, ``started_at``), or new."""
        self.started_at = cluster.clock.now() if started_at is None else started_at
        saved.track(cluster, self.progress, self.started_at)
        self.title = f"statefulset-playground · {exercise.title}"

    def make_main_screen(self) -> MainScreen:
        """The main screen with the exercise panel."""
        return ExerciseScreen(self.cluster, self.namespace, self.progress, self.started_at)

    def on_mount(self) -> None:
        """After the base's main screen: the introduction, if wanted."""
        if self.show_intro:
            self.call_after_refresh(self.push_screen, IntroScreen(self.exercise))

    async def reset(self) -> None:
        """Replace the cluster with a fresh one in the starting state (see module doc)."""
        try:
            speed = None if isinstance(self.cluster.clock, VirtualClock) else self._speed_now()
            cluster = build_cluster(
                self.exercise, seed=self.seed, manifests_dir=manifests_dir(), speed=speed
            )
        except ExerciseError as exc:
            self.notify(str(exc), title="Reset failed", severity="error")
            return
        self.workers.cancel_group(self, "engine")
        old = self.progress
        self.cluster = cluster
        self.progress = Progress(self.exercise, cluster)
        for before, after in zip(old.states, self.progress.states, strict=True):
            after.hints_shown = before.hints_shown
        self.started_at = cluster.clock.now()
        saved.track(cluster, self.progress, self.started_at)
        track_session(cluster, self.namespace)
        if speed is not None:
            self.run_worker(cluster.run(), name="engine", group="engine", exit_on_error=False)
        # the old screen must be gone before the new one (same id) is mounted
        await self.pop_screen()
        await self.push_screen(self.make_main_screen())
        self.notify("Back to the starting state", title="Exercise reset")

    def _speed_now(self) -> float:
        speed = getattr(self.cluster.clock, "speed", None)
        return float(speed) if speed is not None else (self.speed or 1.0)


def run_exercise_app(
    name: str, *, seed: int = 0, speed: float = 1.0, save: str | None = None
) -> int:
    """``stsplay exercise NAME [--save FILE]``: open the app on the exercise (quitting saves
    to FILE and the autosave, see :mod:`tui.saving`); returns the exit status (2 when the
    exercise cannot be loaded or started, the error on stderr)."""
    try:
        exercise = load_exercise(name)
        cluster = build_cluster(exercise, seed=seed, manifests_dir=manifests_dir(), speed=speed)
    except ExerciseError as exc:
        sys.stderr.write(f"stsplay: {exc}\n")
        return 2
    target = Path(save).expanduser() if save else None
    plan = SavePlan(target=target, autosave=persist.default_path())
    app = ExerciseApp(exercise, cluster, seed=seed, speed=speed, save_plan=plan)
    try:
        app.run()
    finally:
        save_on_exit(app.cluster, plan)
    for message in plan.messages:
        sys.stderr.write(f"stsplay: {message}\n")
    return 1 if plan.messages else 0
