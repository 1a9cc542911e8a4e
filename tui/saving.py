"""Saving from the app: ``ctrl+s``, the ``:save [FILE]`` command, and the saves on quit.

Where a save goes:

* ``:save FILE`` writes ``FILE``;
* ``ctrl+s`` and ``:save`` write the *save target*: ``--save FILE`` when given, else the
  autosave file;
* quitting writes the ``--save FILE`` (if given) and always the autosave file
  (:func:`engine.persist.default_path`), which ``stsplay --resume`` reads.

Every save is atomic (:func:`engine.persist.save`) and never crashes the app: a failure (disk
full, permission denied, a directory in the way) is a notification, and the playground goes
on. When quitting cannot write the ``--save FILE``, the app stays open and says so; a second
``q`` quits anyway (the autosave still holds the state if it could be written). A failed
autosave on quit does not keep the app open: the message is printed when the app has closed.
If the app ends without a quit (an error), the command line runs the same saves afterwards
(:func:`save_on_exit`).

Besides the cluster, a save carries the *session* (a ``session`` section of the save file):
the namespace the app runs commands from, and the clock's speed and pause, so ``--resume``
comes back to the same view (:func:`resumed_session`; options given on the command line win).
"""

from __future__ import annotations

import shlex
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import persist
from engine.clock import RealClock
from engine.cluster import Cluster
from engine.result import CommandResult


@dataclass
class SavePlan:
    """Where this session saves: ``target`` (``--save FILE``) and ``autosave`` (None: off)."""

    target: Path | None = None
    autosave: Path | None = None
    quit_refused: bool = False
    """A quit was already held back by a failed save (the next one goes through)."""
    messages: list[str] = field(default_factory=list)
    """Problems to print once the app has closed."""
    done: bool = False
    """The quit's saves ran (the app then exits)."""

    @property
    def default(self) -> Path | None:
        """What ``ctrl+s`` and a bare ``:save`` write."""
        return self.target or self.autosave


def save(cluster: Cluster, path: Path) -> str | None:
    """Save ``cluster`` to ``path``; None on success, else why not (one line)."""
    try:
        persist.save(cluster, path)
    except OSError as exc:
        return f"cannot save to {path}: {exc.strerror or exc}"
    except Exception as exc:  # never crash the app for a save
        return f"cannot save to {path}: {type(exc).__name__}: {exc}"
    return None


def save_command(cluster: Cluster, plan: SavePlan, line: str) -> CommandResult | None:
    """The command bar's ``save [FILE]``; None when ``line`` is not a save command."""
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if not words or words[0] != "save":
        return None
    result = CommandResult()
    if len(words) > 2:
        return result.fail("error: usage: save [FILE]\n")
    path = Path(words[1]).expanduser() if len(words) == 2 else plan.default
    if path is None:
        return result.fail("error: no save file: name one (save FILE) or start with --save\n")
    problem = save(cluster, path)
    if problem:
        return result.fail(f"error: {problem}\n")
    result.out(f"saved the playground to {path}\n")
    return result


def save_on_quit(cluster: Cluster, plan: SavePlan) -> str | None:
    """The saves of a quit. Returns a message when the quit should be held back (the
    ``--save FILE`` could not be written and this is the first try), else None; autosave
    problems go to ``plan.messages``."""
    problems: list[str] = []
    hold: str | None = None
    if plan.target is not None:
        problem = save(cluster, plan.target)
        if problem:
            problems.append(problem)
            if not plan.quit_refused:
                hold = problem
    if plan.autosave is not None and plan.autosave != plan.target:
        problem = save(cluster, plan.autosave)
        if problem:
            problems.append(f"autosave failed ({problem}): stsplay --resume cannot continue")
    if hold is not None:
        plan.quit_refused = True
        return f"{hold}. Press q again to quit without saving there."
    plan.messages.extend(problems)
    plan.done = True
    return None


def save_on_exit(cluster: Cluster, plan: SavePlan) -> None:
    """After the app has closed: the quit's saves if the app ended another way (an error,
    a signal), so the session is not lost; problems go to ``plan.messages``."""
    if not plan.done:
        plan.quit_refused = True  # nothing to hold back any more
        save_on_quit(cluster, plan)


# -- the session: what the app shows, beyond the cluster ----------------------------------------
@dataclass(frozen=True)
class Session:
    """The view a save continues with: the namespace commands run from, and the clock's
    speed and pause (a RealClock's; a virtual clock saves none)."""

    namespace: str
    speed: float | None = None
    paused: bool = False


_LIVE: weakref.WeakKeyDictionary[Cluster, str] = weakref.WeakKeyDictionary()
_LOADED: weakref.WeakKeyDictionary[Cluster, Session] = weakref.WeakKeyDictionary()


def track_session(cluster: Cluster, namespace: str) -> None:
    """Save the app's namespace (and the clock's speed) with every save of ``cluster``."""
    _LIVE[cluster] = namespace


def _dump_session(cluster: Cluster) -> dict[str, Any] | None:
    namespace = _LIVE.get(cluster)
    if namespace is None:
        return None
    data: dict[str, Any] = {"namespace": namespace}
    if isinstance(cluster.clock, RealClock):
        data.update(speed=cluster.clock.speed, paused=cluster.clock.paused)
    return data


def _restore_session(cluster: Cluster, data: Any) -> None:
    """Keep a loaded save's session for :func:`resumed_session` (ValueError: malformed)."""
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(data.get("namespace"), str):
        raise ValueError('session needs a "namespace"')
    speed = data.get("speed")
    if speed is not None and (
        isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 < speed < 1e6
    ):
        raise ValueError('session "speed" must be a positive number')
    if not isinstance(data.get("paused", False), bool):
        raise ValueError('session "paused" must be true or false')
    speed_value = float(speed) if speed is not None else None
    _LOADED[cluster] = Session(data["namespace"], speed_value, data.get("paused", False))


def resumed_session(cluster: Cluster) -> Session | None:
    """The session the save of this (just loaded) cluster was made in, if it says."""
    return _LOADED.get(cluster)


persist.register_section("session", _dump_session, _restore_session)
