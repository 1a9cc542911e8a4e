"""``stsplay exercise --list`` and ``stsplay exercise NAME --check SCRIPT``.

The check runs a command script (the learner's, or the exercise's reference solution) on the
virtual clock from the exercise's starting state, evaluating the tasks after every command
(:class:`~engine.exercises.runner.Progress`), and reports each task::

    ✓ 1. Scale up to five replicas
    ✗ 2. Scale down to three — statefulset web is set to 5 replicas, want 3

A failing command does not stop the run (a shell runs on after a failing line too); it is
reported on the error stream. With ``json`` the report is one JSON object for an instructor to
collect, schema version 1::

    {"schema": 1, "exercise": "02-scaling", "title": "…", "passed": false,
     "tasks": [{"number": 1, "title": "…", "passed": true, "reasons": []}, …],
     "errors": [{"line": 3, "command": "…", "exitCode": 1, "message": "…"}]}

The exit status is 0 when every task passed, 1 when one did not, 2 when the exercise or the
script could not be read.
"""

from __future__ import annotations

import json as json_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from engine import kubectl
from engine.exercises.catalog import exercise_files, load_exercise, manifests_dir
from engine.exercises.loader import ExerciseError, load_exercise_file
from engine.exercises.model import Exercise
from engine.exercises.runner import Progress, build_cluster
from engine.script import ScriptError, parse_script

SCHEMA = 1


@dataclass
class CommandError:
    """A command of the script that failed."""

    line: int
    command: str
    code: int
    message: str


@dataclass
class Report:
    """The result of checking a script against an exercise."""

    exercise: Exercise
    progress: Progress
    errors: list[CommandError] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every task passed."""
        return self.progress.complete

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (see the module docstring)."""
        return {
            "schema": SCHEMA,
            "exercise": self.exercise.name,
            "title": self.exercise.title,
            "passed": self.passed,
            "tasks": [
                {
                    "number": s.task.number,
                    "title": s.task.title,
                    "passed": s.done,
                    "reasons": s.reasons,
                }
                for s in self.progress.states
            ],
            "errors": [
                {"line": e.line, "command": e.command, "exitCode": e.code, "message": e.message}
                for e in self.errors
            ],
        }

    def to_text(self) -> str:
        """The human form: a line per task, then the count."""
        lines = [f"{self.exercise.name}: {self.exercise.title}"]
        for s in self.progress.states:
            mark = "✓" if s.done else "✗"
            why = f" — {'; '.join(s.reasons)}" if s.reasons else ""
            lines.append(f"{mark} {s.task.number}. {s.task.title}{why}")
        total = len(self.progress.states)
        lines.append(f"{self.progress.done_count} of {total} tasks passed")
        return "\n".join(lines) + "\n"


def check_script(exercise: Exercise, script: str, *, seed: int = 0) -> Report:
    """Run ``script`` from the exercise's starting state; evaluate the tasks after every
    command (and once before the first)."""
    cluster = build_cluster(exercise, seed=seed, manifests_dir=manifests_dir())
    progress = Progress(exercise, cluster)
    report = Report(exercise, progress)
    progress.evaluate()
    for step in parse_script(script):
        if isinstance(step, ScriptError):
            report.errors.append(CommandError(step.line, "", 2, step.message))
            continue
        if not step.command:
            continue
        result = kubectl.run(cluster, step.command, exercise.namespace, stdin=step.stdin)
        if result.code:
            lines = (result.stderr or result.stdout).strip().splitlines()
            message = lines[-1] if lines else ""
            report.errors.append(CommandError(step.line, step.command, result.code, message))
        progress.evaluate()
    progress.evaluate_rest()
    return report


def check_exercise(
    name: str,
    script_text: str,
    *,
    json: bool = False,
    out: TextIO,
    err: TextIO,
    seed: int = 0,
    source: str = "script",
) -> int:
    """``stsplay exercise NAME --check SCRIPT [--json]``: returns the exit status."""
    try:
        exercise = load_exercise(name)
        report = check_script(exercise, script_text, seed=seed)
    except ExerciseError as exc:
        err.write(f"{exc}\n")
        return 2
    for e in report.errors:
        shown = f" ({e.command})" if e.command else ""
        err.write(f"{source}:{e.line}: exit status {e.code}{shown}: {e.message}\n")
    if json:
        out.write(json_module.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.to_text())
    return 0 if report.passed else 1


def list_exercises(*, out: TextIO, err: TextIO, directory: Path | None = None) -> int:
    """``stsplay exercise --list``: name, task count and title of each exercise; an invalid
    file is reported on ``err`` (exit status 1)."""
    status = 0
    rows: list[tuple[str, str, str]] = []
    for path in exercise_files(directory):
        try:
            exercise = load_exercise_file(path)
        except ExerciseError as exc:
            err.write(f"{exc}\n")
            status = 1
            continue
        count = len(exercise.tasks)
        rows.append((exercise.name, f"{count} task{'s' if count != 1 else ''}", exercise.title))
    width = max((len(r[0]) for r in rows), default=0)
    for name, tasks, title in rows:
        out.write(f"{name.ljust(width)}  {tasks.rjust(7)}  {title}\n")
    return status
