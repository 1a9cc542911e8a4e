"""Reading and validating exercise files.

An exercise file is YAML (see ``demos/exercises/README.md`` for the format). Validation is
strict: unknown fields and unknown check types are errors, every required field is checked,
values must have the right type, starting manifests must exist and be valid Kubernetes YAML,
and the setup and solution scripts must parse. Every problem is reported, each naming the
file and the place::

    exercises/03-dns.yaml: task 2, check 1: field "pod": required
    exercises/03-dns.yaml: task 1: field "hints": must be a list of strings

:class:`ExerciseError` carries the list; its text is one problem per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.exercises.checks import CHECK_TYPES, FieldSpec
from engine.exercises.model import Check, Exercise, ManifestSource, Task
from engine.manifests import ManifestError, load_objects
from engine.objects import KINDS
from engine.script import ScriptError, parse_script
from engine.yaml_in import YAMLInputError, load_value

TOP_FIELDS = {
    "title": "string",
    "introduction": "string",
    "manifests": "list",
    "setup": "string",
    "namespace": "string",
    "nodes": "integer",
    "tasks": "list",
    "solution": "string",
}
TOP_REQUIRED = ("title", "introduction", "tasks", "solution")
TASK_FIELDS = {"title": "string", "description": "string", "checks": "list", "hints": "strings"}
TASK_REQUIRED = ("title", "description", "checks")
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "list": "a list",
    "strings": "a list of strings",
    "value": "a scalar or a list",
}


class ExerciseError(ValueError):
    """An exercise file is invalid; ``problems`` are the located messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str | int | float | bool | list) or value is None


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "…"


class _Validator:
    """Collects the problems of one file."""

    def __init__(self, source: str, manifests_dir: Path) -> None:
        self.source = source
        self.manifests_dir = manifests_dir
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where + ': ' if where else ''}{message}")

    def fields(
        self, where: str, data: dict[str, Any], spec: dict[str, str], required: tuple[str, ...]
    ) -> bool:
        ok = True
        for key, value in data.items():
            if key not in spec:
                known = ", ".join(spec)
                self.problem(where, f'field "{key}": unknown field (known: {known})')
                ok = False
            elif not _fits(spec[key], value):
                self.problem(
                    where, f'field "{key}": must be {_TYPE_NAMES[spec[key]]}, got {_shown(value)}'
                )
                ok = False
        for key in required:
            if key not in data:
                self.problem(where, f'field "{key}": required')
                ok = False
        return ok

    # -- checks ---------------------------------------------------------------------------
    def check(self, where: str, data: Any) -> Check | None:
        if not isinstance(data, dict):
            self.problem(where, f"must be a mapping with a type, got {_shown(data)}")
            return None
        ctype = data.get("type")
        if ctype is None:
            self.problem(where, 'field "type": required')
            return None
        if ctype not in CHECK_TYPES:
            known = ", ".join(CHECK_TYPES)
            self.problem(where, f"unknown check type {_shown(ctype)} (known: {known})")
            return None
        spec = CHECK_TYPES[ctype]
        fields = {k: v for k, v in data.items() if k != "type"}
        before = len(self.problems)
        for key, value in fields.items():
            self._check_field(where, ctype, spec.fields, key, value)
        for key, field_spec in spec.fields.items():
            if field_spec.required and key not in fields:
                self.problem(where, f'field "{key}": required')
        if spec.one_of:
            given = [k for k in spec.one_of if k in fields]
            names = ", ".join(f'"{k}"' for k in spec.one_of)
            if not given:
                self.problem(where, f"one of the fields {names} is required")
            elif len(given) > 1:
                both = " and ".join(f'"{k}"' for k in given)
                self.problem(where, f"fields {both} exclude each other (give one of {names})")
        if len(self.problems) != before:
            return None
        return Check(str(ctype), fields, where)

    def _check_field(
        self, where: str, ctype: str, specs: dict[str, FieldSpec], key: str, value: Any
    ) -> None:
        spec = specs.get(key)
        if spec is None:
            known = ", ".join(specs)
            self.problem(
                where, f'field "{key}": unknown field for check type {ctype} (fields: {known})'
            )
        elif spec.kind == "kind":
            if value not in KINDS:
                self.problem(
                    where,
                    f'field "{key}": unknown kind {_shown(value)} (known: {", ".join(KINDS)})',
                )
        elif spec.kind == "choice":
            if value not in spec.choices:
                self.problem(
                    where,
                    f'field "{key}": must be one of {", ".join(spec.choices)}, got {_shown(value)}',
                )
        elif not _fits(spec.kind, value):
            self.problem(
                where, f'field "{key}": must be {_TYPE_NAMES[spec.kind]}, got {_shown(value)}'
            )

    # -- tasks, manifests, scripts --------------------------------------------------------
    def task(self, number: int, data: Any) -> Task | None:
        where = f"task {number}"
        if not isinstance(data, dict):
            self.problem(where, f"must be a mapping, got {_shown(data)}")
            return None
        if not self.fields(where, data, TASK_FIELDS, TASK_REQUIRED):
            return None
        if not data["checks"]:
            self.problem(where, 'field "checks": needs at least one check')
            return None
        checks = [
            self.check(f"{where}, check {i}", item) for i, item in enumerate(data["checks"], 1)
        ]
        if any(c is None for c in checks):
            return None
        return Task(
            number,
            data["title"].strip(),
            data["description"],
            tuple(c for c in checks if c is not None),
            tuple(data.get("hints") or ()),
        )

    def manifest(self, number: int, data: Any) -> ManifestSource | None:
        where = f"manifests {number}"
        spec = {"file": "string", "inline": "string"}
        if not isinstance(data, dict) or len(data) != 1:
            self.problem(where, 'must be a mapping with one field, "file" or "inline"')
            return None
        if not self.fields(where, data, spec, ()):
            return None
        if "file" in data:
            path = self.manifests_dir / data["file"]
            if not path.is_file():
                self.problem(where, f'file "{data["file"]}" not found in {self.manifests_dir}')
                return None
            source = ManifestSource(file=data["file"])
            try:
                load_objects(str(path))
            except ManifestError as exc:
                self.problem(where, str(exc))
                return None
            return source
        try:
            load_objects(f"{self.source} ({where})", data["inline"])
        except ManifestError as exc:
            self.problem(where, str(exc))
            return None
        return ManifestSource(inline=data["inline"])

    def script(self, where: str, text: str) -> None:
        for step in parse_script(text):
            if isinstance(step, ScriptError):
                self.problem(where, f"line {step.line}: {step.message}")

    def exercise(self, name: str, data: Any) -> Exercise | None:
        if not isinstance(data, dict):
            self.problem("", f"an exercise must be a mapping, got {_shown(data)}")
            return None
        if not self.fields("", data, TOP_FIELDS, TOP_REQUIRED):
            return None
        if not data["tasks"]:
            self.problem("", 'field "tasks": needs at least one task')
        if data.get("nodes", 1) < 1:
            self.problem("", f'field "nodes": must be at least 1, got {data["nodes"]}')
        tasks = [self.task(i, item) for i, item in enumerate(data["tasks"], 1)]
        manifests = [self.manifest(i, m) for i, m in enumerate(data.get("manifests") or [], 1)]
        self.script("setup", data.get("setup", ""))
        self.script("solution", data["solution"])
        if self.problems:
            return None
        return Exercise(
            name=name,
            source=self.source,
            title=data["title"].strip(),
            introduction=data["introduction"],
            tasks=tuple(t for t in tasks if t is not None),
            solution=data["solution"],
            manifests=tuple(m for m in manifests if m is not None),
            setup=data.get("setup", ""),
            namespace=data.get("namespace", "default"),
            nodes=data.get("nodes", 3),
        )


def parse_exercise(text: str, *, name: str, source: str, manifests_dir: Path) -> Exercise:
    """Validate the YAML ``text`` of an exercise called ``name``.

    Args:
        text: the file's contents.
        name: the exercise's name (the file name without ``.yaml``).
        source: how messages name the file (``exercises/03-dns.yaml``).
        manifests_dir: where ``manifests: [{file: …}]`` entries are looked up.

    Raises:
        ExerciseError: naming every problem.
    """
    try:
        data = load_value(source, text)
    except YAMLInputError as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise ExerciseError([f"{source}: {at}invalid YAML: {exc.problem}"]) from None
    validator = _Validator(source, manifests_dir)
    exercise = validator.exercise(name, data)
    if exercise is None:
        raise ExerciseError(validator.problems)
    return exercise


def load_exercise_file(path: Path, *, source: str | None = None) -> Exercise:
    """Read and validate the exercise file at ``path`` (manifests next door, in
    ``../manifests``).

    Raises:
        ExerciseError: the file cannot be read or is invalid.
    """
    label = source or f"{path.parent.name}/{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExerciseError([f"{label}: cannot read: {exc.strerror}"]) from exc
    manifests = path.resolve().parent.parent / "manifests"
    return parse_exercise(text, name=path.stem, source=label, manifests_dir=manifests)
