"""Running an exercise: its starting cluster, and the progress of its tasks.

:func:`build_cluster` makes the starting state: a fresh cluster (the exercise's node count,
the given seed), the starting manifests applied and settled, then the setup commands (which may
``sleep`` to let a fault play out). The setup always runs on simulated time, instantly; for
the app the clock then turns into a running :class:`~engine.clock.RealClock` that carries on
from there (:class:`_SetupClock`).

:class:`Progress` follows the tasks. Tasks are ordered: a task ticks to done when all its
checks pass *and* every earlier task is done, and then it stays done (a later task may undo an
earlier one's state, e.g. scale up to 5, then down to 3). :meth:`Progress.evaluate` is what the
app calls on every (coalesced) store change and the headless checker after every command.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from engine.clock import RealClock, VirtualClock
from engine.cluster import Cluster
from engine.exercises.checks import evaluate_all
from engine.exercises.context import Context, Outcome
from engine.exercises.loader import ExerciseError
from engine.exercises.model import Exercise, Task
from engine.manifests import ManifestError
from engine.script import run_script


class _SetupClock(VirtualClock, RealClock):
    """A paused RealClock that passes for a VirtualClock while the setup runs.

    Paused, a RealClock's ``now()`` is its stored time, which the VirtualClock methods move;
    :meth:`start` then makes it a plain RealClock (same timers, same time) and lets it run.
    """

    def __init__(self, speed: float) -> None:
        RealClock.__init__(self, speed=speed)
        self.pause()

    def start(self) -> RealClock:
        """Become a running RealClock."""
        self.__class__ = RealClock  # type: ignore[assignment]
        self.resume()
        return self


def build_cluster(
    exercise: Exercise,
    *,
    seed: int = 0,
    manifests_dir: Path,
    speed: float | None = None,
) -> Cluster:
    """The exercise's starting state on a fresh cluster.

    Args:
        exercise: the exercise.
        seed: the cluster's random seed.
        manifests_dir: where ``file`` manifests are.
        speed: None for a VirtualClock (tests, headless); a speed for a running RealClock.

    Raises:
        ExerciseError: a manifest does not apply or a setup command fails.
    """
    clock = VirtualClock() if speed is None else _SetupClock(speed)
    cluster = Cluster(seed=seed, nodes=exercise.nodes, clock=clock)
    for i, source in enumerate(exercise.manifests, 1):
        try:
            if source.file is not None:
                cluster.apply(str(manifests_dir / source.file))
            else:
                cluster.apply(f"{exercise.source} (manifests {i})", source.inline)
        except (ManifestError, OSError) as exc:
            raise ExerciseError([f"{exercise.source}: manifests {i}: {exc}"]) from exc
    cluster.settle()
    if exercise.setup.strip():
        out, err = io.StringIO(), io.StringIO()
        status = run_script(
            cluster,
            exercise.setup,
            echo=True,
            keep_going=False,
            out=out,
            err=err,
            source=f"{exercise.source}: setup",
            namespace=exercise.namespace,
        )
        if status:
            detail = (err.getvalue() or out.getvalue()).strip().splitlines()[-1:]
            raise ExerciseError([f"{exercise.source}: setup failed: {' '.join(detail)}"])
    if isinstance(clock, _SetupClock):
        cluster.clock = clock.start()
    return cluster


@dataclass
class TaskState:
    """A task's progress: done (latched) and the outcomes of its last evaluation."""

    task: Task
    done: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    hints_shown: int = 0

    @property
    def reasons(self) -> list[str]:
        """What the failing checks saw (empty when done or not yet evaluated)."""
        if self.done:
            return []
        return list(dict.fromkeys(o.reason for o in self.outcomes if not o.ok))


class Progress:
    """The tasks of an exercise on one cluster, ticked in order as their checks pass."""

    def __init__(self, exercise: Exercise, cluster: Cluster) -> None:
        self.exercise = exercise
        self.context = Context.starting(cluster, exercise.namespace)
        self.states = [TaskState(t) for t in exercise.tasks]

    @property
    def current(self) -> TaskState | None:
        """The first task not done yet (None when all are)."""
        return next((s for s in self.states if not s.done), None)

    @property
    def complete(self) -> bool:
        """Every task is done."""
        return all(s.done for s in self.states)

    @property
    def done_count(self) -> int:
        """How many tasks are done."""
        return sum(s.done for s in self.states)

    def evaluate(self) -> list[int]:
        """Evaluate the current task (and the next ones while they pass); returns the numbers
        of the tasks that ticked to done now."""
        ticked: list[int] = []
        for state in self.states:
            if state.done:
                continue
            state.outcomes = evaluate_all(state.task.checks, self.context)
            if not all(o.ok for o in state.outcomes):
                break
            state.done = True
            ticked.append(state.task.number)
        return ticked

    def evaluate_rest(self) -> None:
        """Evaluate every task not done yet, in order (for a final report): a task whose checks
        pass but which waits for an earlier one says so."""
        self.evaluate()
        first_open: int | None = None
        for state in self.states:
            if state.done:
                continue
            state.outcomes = evaluate_all(state.task.checks, self.context)
            if first_open is None:
                first_open = state.task.number
            elif all(o.ok for o in state.outcomes):
                state.outcomes.append(Outcome(False, f"waits for task {first_open}"))

    def next_hint(self) -> tuple[Task, str] | None:
        """Reveal the current task's next hint: (task, hint), or None when it has no more."""
        state = self.current
        if state is None or state.hints_shown >= len(state.task.hints):
            return None
        state.hints_shown += 1
        return state.task, state.task.hints[state.hints_shown - 1]

    def hints(self, state: TaskState) -> tuple[str, ...]:
        """The hints of ``state`` revealed so far."""
        return state.task.hints[: state.hints_shown]
