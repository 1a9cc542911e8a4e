"""Workshop exercises: format, validation, checks and runner (pure engine, no UI).

* :mod:`~engine.exercises.model` — the validated shape (exercise, tasks, checks);
* :mod:`~engine.exercises.loader` — YAML in, strict validation, located errors;
* :mod:`~engine.exercises.checks` — the declarative check vocabulary and its probes;
* :mod:`~engine.exercises.runner` — the starting cluster and the ordered, latched progress;
* :mod:`~engine.exercises.headless` — ``--list`` and ``--check SCRIPT`` for the CLI;
* :mod:`~engine.exercises.catalog` — finding ``demos/exercises/*.yaml``.
"""

from engine.exercises.catalog import exercises_dir, find_exercise, load_exercise, manifests_dir
from engine.exercises.headless import Report, check_exercise, check_script, list_exercises
from engine.exercises.loader import ExerciseError, load_exercise_file, parse_exercise
from engine.exercises.model import Check, Exercise, ManifestSource, Task
from engine.exercises.runner import Progress, TaskState, build_cluster

__all__ = [
    "Check",
    "Exercise",
    "ExerciseError",
    "ManifestSource",
    "Progress",
    "Report",
    "Task",
    "TaskState",
    "build_cluster",
    "check_exercise",
    "check_script",
    "exercises_dir",
    "find_exercise",
    "list_exercises",
    "load_exercise",
    "load_exercise_file",
    "manifests_dir",
    "parse_exercise",
]
