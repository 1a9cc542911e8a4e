"""``stsplay --load FILE`` / ``--resume``: open the app on a saved playground.

The save file holds the whole cluster (objects, volume files, clock, random state) and, when
it was an exercise session, the exercise's progress (:mod:`engine.exercises.saved`): such a
save reopens the exercise app on the same exercise, with its done tasks and shown hints.

Combinations are checked before anything is loaded (:func:`option_problem`): ``--load`` and
``--resume`` exclude each other and ``-f`` (a save is a whole cluster; apply more files from
the command bar once it is open); ``--seed``/``--nodes`` are the save's own, and the saved
session's namespace, speed and pause apply unless ``-n``/``--speed`` say otherwise
(:func:`continue_session`). A file that is missing, corrupt or truncated is refused with one
message naming the file and the problem (exit status 2); nothing is half-loaded.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from engine import persist
from engine.clock import RealClock
from engine.cluster import Cluster
from engine.exercises import saved
from tui.app import PlaygroundApp
from tui.saving import SavePlan, resumed_session


class ResumeError(Exception):
    """The save cannot be opened; the message says which file and why."""


def option_problem(args: argparse.Namespace) -> str | None:
    """Why the save options of the app's command line do not go together, or None."""
    if args.load and args.resume:
        return "--load and --resume cannot be combined (--resume is --load of the autosave)"
    if (args.load or args.resume) and args.filename:
        flag = "--load" if args.load else "--resume"
        return (
            f"-f cannot be combined with {flag}: a save holds the whole cluster "
            "(open it, then 'apply -f FILE' in the command bar)"
        )
    return None


def source_path(args: argparse.Namespace) -> Path | None:
    """The save to open: ``--load FILE``, the autosave for ``--resume``, else None."""
    if args.load:
        return Path(args.load).expanduser()
    if args.resume:
        return persist.default_path()
    return None


def load(path: Path, *, resume: bool, speed: float) -> Cluster:
    """The saved cluster on a real clock at ``speed``.

    Raises:
        ResumeError: nothing to resume, or the file cannot be read or is not a valid save.
    """
    if resume and not path.exists():
        raise ResumeError(
            f"nothing to resume: no autosave at {path} (the playground writes it when you quit)"
        )
    try:
        return persist.load(path, clock=RealClock(speed=speed))
    except persist.SaveFileError as exc:
        raise ResumeError(f"cannot load {path}: {_after_name(str(exc), path)}") from None


@dataclass(frozen=True)
class Given:
    """Which view options the command line gave (they win over the saved session)."""

    namespace: bool = False
    speed: bool = False


def continue_session(cluster: Cluster, args: argparse.Namespace, given: Given) -> None:
    """Take the saved session's namespace, speed and pause (see :mod:`tui.saving`) where the
    command line did not say: ``args.namespace``/``args.speed`` and the clock are updated."""
    session = resumed_session(cluster)
    if session is None:
        return
    if not given.namespace:
        args.namespace = session.namespace
    clock = cluster.clock
    if not isinstance(clock, RealClock):
        return
    if not given.speed and session.speed is not None:
        clock.set_speed(session.speed)
        args.speed = session.speed
    if session.paused:
        clock.pause()


def _after_name(message: str, path: Path) -> str:
    """SaveFileError names the file by its base name first; the CLI names the whole path."""
    return message.removeprefix(f"{path.name}: ")


def saved_app(
    cluster: Cluster,
    *,
    namespace: str,
    plan: SavePlan,
    speed: float,
    dns_address: str | None = None,
) -> PlaygroundApp:
    """The app for a loaded cluster: the exercise app when the save was an exercise session
    (a plain playground, with a startup message, if that exercise no longer loads)."""
    exercise_state = saved.resumed(cluster)
    if exercise_state is None:
        return PlaygroundApp(cluster, namespace=namespace, save_plan=plan, dns_address=dns_address)
    from engine.exercises import ExerciseError, load_exercise
    from tui.exercise_app import ExerciseApp

    try:
        exercise = load_exercise(exercise_state.name)
    except ExerciseError as exc:
        note = f"The saved exercise {exercise_state.name!r} cannot be opened: {exc}"
        return PlaygroundApp(cluster, namespace=namespace, save_plan=plan, startup_errors=[note])
    progress = saved.rebuild(cluster, exercise, exercise_state)
    return ExerciseApp(
        exercise,
        cluster,
        seed=cluster.config.seed,
        speed=speed,
        show_intro=False,
        progress=progress,
        started_at=exercise_state.started_at,
        save_plan=plan,
    )
