"""The exercise panel: the tasks of a workshop exercise, ticking to done as the cluster changes.

The panel shows the exercise's title and its tasks — ``✓`` done, ``▶`` the current one,
``·`` the ones after it — then the current task's description (Markdown), what its checks
see right now (why it is not done yet), the hints revealed so far, and, once every task is
done, a summary. It holds an engine :class:`~engine.exercises.runner.Progress` and never any
cluster state: :meth:`ExercisePanel.evaluate` re-runs the checks (the screen calls it on every
coalesced store change and on a slow timer, since files written with ``kubectl exec`` are not
store objects), and the view is rebuilt from the progress.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.exercises.runner import Progress, TaskState


class ExercisePanel(VerticalScroll):
    """Tasks, the current task, hints and the summary of one exercise."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "exercise--done",
        "exercise--current",
        "exercise--todo",
        "exercise--reason",
        "exercise--hint",
    }

    def __init__(self, progress: Progress, *, started_at: float = 0.0) -> None:
        super().__init__(id="exercise")
        self.progress = progress
        self.started_at = started_at
        self.can_focus = False

    def compose(self) -> ComposeResult:
        """Task list, current task, hints, summary."""
        yield Static(id="exercise-tasks")
        yield Static(id="exercise-current")
        yield Static(id="exercise-hints")
        yield Static(id="exercise-summary")

    def on_mount(self) -> None:
        """Title, then the first evaluation."""
        self.border_title = f"Exercise · {self.progress.exercise.title}"
        self.evaluate()

    # -- engine → view ----------------------------------------------------------------------
    def evaluate(self) -> list[int]:
        """Re-run the checks; returns the numbers of the tasks that ticked now."""
        ticked = self.progress.evaluate()
        self.refresh_view()
        if ticked:
            names = ", ".join(str(n) for n in ticked)
            self.notify(f"Task {names} done", title="Exercise")
            if self.progress.complete:
                self.notify("Every task is done", title="Exercise complete")
        return ticked

    def refresh_view(self) -> None:
        """Rebuild the texts from the progress."""
        self.query_one("#exercise-tasks", Static).update(self._tasks_text())
        current = self.progress.current
        self.query_one("#exercise-current", Static).update(self._current(current))
        self.query_one("#exercise-hints", Static).update(self._hints(current))
        summary = self.query_one("#exercise-summary", Static)
        summary.display = self.progress.complete
        summary.update(self.summary_text() if self.progress.complete else "")
        done, total = self.progress.done_count, len(self.progress.states)
        self.border_subtitle = f"{done}/{total} done · h hint · ^r reset · i intro"

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"exercise--{name}", partial=True)

    def _tasks_text(self) -> Text:
        text = Text()
        current = self.progress.current
        for state in self.progress.states:
            if state.done:
                mark, style = "✓", "done"
            elif state is current:
                mark, style = "▶", "current"
            else:
                mark, style = "·", "todo"
            text.append(f"{mark} {state.task.number}. {state.task.title}\n", self._style(style))
        return text

    def _current(self, state: TaskState | None) -> RenderableType:
        if state is None:
            return ""
        reasons = Text()
        for reason in state.reasons:
            reasons.append(f"✗ {reason}\n", self._style("reason"))
        return Group(Markdown(state.task.description), reasons)

    def _hints(self, state: TaskState | None) -> Text:
        text = Text()
        if state is None:
            return text
        for i, hint in enumerate(self.progress.hints(state), 1):
            text.append(f"Hint {i}: ", self._style("hint") + Style(bold=True))
            text.append(f"{hint}\n", self._style("hint"))
        return text

    def summary_text(self) -> str:
        """The closing words once every task is done."""
        total = len(self.progress.states)
        took = self.progress.context.cluster.clock.now() - self.started_at
        minutes, seconds = divmod(int(took), 60)
        return (
            f"Well done: all {total} tasks of “{self.progress.exercise.title}” are done "
            f"({minutes}m{seconds:02d}s of simulated time). "
            "Press ctrl+r to start over, q to quit."
        )

    # -- keys (bound on the screen) ----------------------------------------------------------
    def show_next_hint(self) -> None:
        """Reveal the current task's next hint (or say there is none)."""
        revealed = self.progress.next_hint()
        if revealed is None:
            state = self.progress.current
            message = "No more hints for this task" if state else "Every task is done"
            self.notify(message, severity="warning")
            return
        self.refresh_view()

    # -- for tests and the screen -------------------------------------------------------------
    @property
    def task_lines(self) -> list[str]:
        """The task list as plain lines (``✓ 1. Scale up…``)."""
        return self._tasks_text().plain.splitlines()

    @property
    def reason_lines(self) -> list[str]:
        """Why the current task is not done yet (what its failing checks see)."""
        state = self.progress.current
        return [f"✗ {r}" for r in state.reasons] if state else []

    @property
    def hint_lines(self) -> list[str]:
        """The hints shown, as plain lines."""
        return self._hints(self.progress.current).plain.splitlines()
