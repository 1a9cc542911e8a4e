"""Where the workshop lives: ``demos/exercises/*.yaml`` (in a checkout, or packaged as
``engine/demos`` in the wheel), and finding an exercise by name.

An exercise is named by its file name without ``.yaml`` (``03-dns``); the number prefix may be
left out (``dns``) or used alone (``3``).
"""

from __future__ import annotations

from pathlib import Path

from engine.exercises.loader import ExerciseError, load_exercise_file
from engine.exercises.model import Exercise


def demos_dir() -> Path:
    """The demos directory: the checkout's ``demos/``, else the packaged copy."""
    here = Path(__file__).resolve()
    checkout = here.parents[2] / "demos"
    if (checkout / "exercises").is_dir():
        return checkout
    return here.parents[1] / "demos"


def exercises_dir() -> Path:
    """``demos/exercises``."""
    return demos_dir() / "exercises"


def manifests_dir() -> Path:
    """``demos/manifests`` (exercise files name their starting manifests relative to it)."""
    return demos_dir() / "manifests"


def exercise_files(directory: Path | None = None) -> list[Path]:
    """The exercise files, in workshop order (by file name)."""
    return sorted((directory or exercises_dir()).glob("*.yaml"))


def _short(stem: str) -> tuple[str, str]:
    number, _, rest = stem.partition("-")
    return (number.lstrip("0") or "0", rest) if number.isdigit() else ("", stem)


def find_exercise(name: str, directory: Path | None = None) -> Path:
    """The file of the exercise called ``name``.

    Raises:
        ExerciseError: no exercise (or more than one) goes by that name.
    """
    files = exercise_files(directory)
    exact = [f for f in files if f.stem == name]
    if exact:
        return exact[0]
    wanted = name.lstrip("0") or "0" if name.isdigit() else name
    matches = [f for f in files if wanted in _short(f.stem)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f.stem for f in files) or "none"
    if matches:
        raise ExerciseError(
            [f'exercise "{name}" is ambiguous (matches {", ".join(m.stem for m in matches)})']
        )
    raise ExerciseError([f'no exercise called "{name}" (exercises: {known})'])


def load_exercise(name: str, directory: Path | None = None) -> Exercise:
    """Find and validate the exercise called ``name``.

    Raises:
        ExerciseError: unknown name, or the file is invalid.
    """
    return load_exercise_file(find_exercise(name, directory))
