"""Exercise progress in save files: which exercise, which tasks are done, which hints shown.

The save file (:mod:`engine.persist`) holds the cluster; this module adds the ``exercise``
section so ``stsplay --resume`` reopens the exercise where the learner stopped. Progress lives
in the app, not the cluster, so the app *tracks* it against its cluster (:func:`track`); a
save asks for the tracked progress of the cluster it writes (:func:`dump`), and a load leaves
the section's data next to the new cluster (:func:`restore`) for the app to pick up
(:func:`resumed`, then :func:`rebuild`).

Saved per exercise: its name, when it started (clock seconds, for the panel's "took"), the
starting state's UIDs (the checks compare against them: "was web-0 recreated?"), and per task
whether it is done and how many hints are showing. Check outcomes are not saved: the panel
re-evaluates on load.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine import persist
from engine.exercises.context import Context
from engine.exercises.runner import Progress

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.exercises.model import Exercise

SECTION = "exercise"


@dataclass
class Tracked:
    """An exercise in progress on a cluster."""

    progress: Progress
    started_at: float


@dataclass(frozen=True)
class SavedExercise:
    """The exercise section of a loaded save file."""

    name: str
    started_at: float
    baseline: dict[tuple[str, str, str], str]
    tasks: tuple[tuple[bool, int], ...]
    """(done, hints shown) per task, in order."""


_LIVE: weakref.WeakKeyDictionary[Cluster, Tracked] = weakref.WeakKeyDictionary()
_LOADED: weakref.WeakKeyDictionary[Cluster, SavedExercise] = weakref.WeakKeyDictionary()


def track(cluster: Cluster, progress: Progress, started_at: float) -> None:
    """Save ``progress`` with every save of ``cluster`` from now on."""
    _LIVE[cluster] = Tracked(progress, started_at)


def dump(cluster: Cluster) -> dict[str, Any] | None:
    """The section's data: the tracked exercise of ``cluster``, or None (no exercise)."""
    tracked = _LIVE.get(cluster)
    if tracked is None:
        return None
    progress = tracked.progress
    return {
        "name": progress.exercise.name,
        "startedAt": tracked.started_at,
        "baseline": [[*key, uid] for key, uid in sorted(progress.context.baseline.items())],
        "tasks": [{"done": s.done, "hintsShown": s.hints_shown} for s in progress.states],
    }


def restore(cluster: Cluster, data: Any) -> None:
    """Keep the section's data for :func:`resumed`.

    Raises:
        ValueError: the section is malformed (the load reports a corrupt save file).
    """
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ValueError('exercise progress needs a "name"')
    started = data.get("startedAt", 0.0)
    if isinstance(started, bool) or not isinstance(started, int | float):
        raise ValueError('exercise progress "startedAt" must be a number')
    baseline = data.get("baseline") or []
    if not isinstance(baseline, list) or not all(_is_entry(e) for e in baseline):
        raise ValueError('exercise progress "baseline" must list [kind, namespace, name, uid]')
    tasks = data.get("tasks") or []
    if not isinstance(tasks, list) or not all(_is_task(t) for t in tasks):
        raise ValueError('exercise progress "tasks" must list {done, hintsShown}')
    _LOADED[cluster] = SavedExercise(
        name=data["name"],
        started_at=float(started),
        baseline={(e[0], e[1], e[2]): e[3] for e in baseline},
        tasks=tuple((t["done"], t["hintsShown"]) for t in tasks),
    )


def _is_entry(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 4 and all(isinstance(x, str) for x in entry)


def _is_task(task: Any) -> bool:
    return (
        isinstance(task, dict)
        and isinstance(task.get("done"), bool)
        and isinstance(task.get("hintsShown"), int)
        and not isinstance(task.get("hintsShown"), bool)
        and task["hintsShown"] >= 0
    )


def resumed(cluster: Cluster) -> SavedExercise | None:
    """The exercise the save of this (just loaded) cluster was in, if any."""
    return _LOADED.get(cluster)


def rebuild(cluster: Cluster, exercise: Exercise, saved: SavedExercise) -> Progress:
    """Progress on ``exercise`` as saved (the exercise file may have changed since: tasks
    beyond the saved ones start open, hints are capped to what the task has)."""
    progress = Progress(exercise, cluster)
    progress.context = Context(cluster, exercise.namespace, dict(saved.baseline))
    for state, (done, hints) in zip(progress.states, saved.tasks, strict=False):
        state.done = done
        state.hints_shown = min(hints, len(state.task.hints))
    return progress


persist.register_section(SECTION, dump, restore)
