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
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from engine import persist
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
    return None
