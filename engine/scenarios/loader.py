"""Reading and validating scenario files.

Every problem is a :class:`ScenarioError` naming the file, the step (1-based) and the field, in
the form ``demos/scenarios/x.yaml: step 4: field "wait.for": must be condition=NAME or
delete``. Validation checks everything that can be checked without running: field names and
types, durations, command names, resource types, key names, panel names and that the
manifests exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import kubectl
from engine.kubectl.commands import COMMANDS, TOOLS
from engine.kubectl.parse import KubectlError, parse_duration
from engine.kubectl.resources import resolve_kind
from engine.scenarios.model import ACTIONS, PANELS, Scenario, Step, WaitFor
from engine.yaml_in import YAMLInputError, load_value


def _demos_dir() -> Path:
    """``demos/`` of the source tree, or ``engine/demos`` of an installed wheel."""
    here = Path(__file__).resolve()
    source = here.parents[2] / "demos"
    return source if (source / "scenarios").is_dir() else here.parents[1] / "demos"


#: the demos directory (scenarios and manifests)
DEMOS = _demos_dir()
SCENARIOS = DEMOS / "scenarios"
MANIFESTS = DEMOS / "manifests"

TOP_FIELDS = (
    "title",
    "description",
    "manifests",
    "steps",
    "beat",
    "seed",
    "nodes",
    "namespace",
    "settle",
    "speed",
    "gallery",
)
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "caption": (),
    "command": ("expect",),
    "keys": ("focus", "select", "equivalent", "expect"),
    "pause": (),
    "wait": (),
    "pin": (),
}
WAIT_FIELDS = ("for", "object", "timeout")
DNS_TOOLS = ("nslookup", "dig", "host")
#: keys that only move around the view: a keys step of these alone needs no ``equivalent``
VIEW_KEYS = frozenset(
    {"escape", "tab", "shift+tab", "up", "down", "j", "k", "home", "end", "pageup", "pagedown"}
)


class ScenarioError(ValueError):
    """A scenario file is wrong: ``file: step N: field "F": message``."""

    def __init__(
        self, path: str, message: str, *, step: int | None = None, field: str | None = None
    ) -> None:
        self.path, self.step, self.field, self.message = path, step, field, message
        where = [path]
        if step is not None:
            where.append(f"step {step}")
        if field is not None:
            where.append(f'field "{field}"')
        super().__init__(": ".join([*where, message]))


class _Ctx:
    """Where we are, for errors."""

    def __init__(self, path: str, step: int | None = None) -> None:
        self.path, self.step = path, step

    def error(self, field: str | None, message: str) -> ScenarioError:
        return ScenarioError(self.path, message, step=self.step, field=field)


def scenario_names(directory: Path = SCENARIOS) -> list[str]:
    """Names of the scenarios in ``directory`` (file stems), sorted."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def find_scenario(name: str, directory: Path = SCENARIOS) -> Path:
    """The file of scenario ``name`` (or ``name`` itself when it is a path to a file)."""
    given = Path(name)
    if given.suffix in (".yaml", ".yml") and given.is_file():
        return given
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(scenario_names(directory)) or "none"
        raise ScenarioError(name, f"no such scenario (known: {known})")
    return path


def load_scenario(
    name_or_path: str | Path, *, directory: Path = SCENARIOS, manifests: Path = MANIFESTS
) -> Scenario:
    """Read and validate a scenario by name (``storage``) or path."""
    path = find_scenario(str(name_or_path), directory)
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(shown, f"cannot read: {exc.strerror}") from exc
    return parse_scenario(text, shown, name=path.stem, manifests=manifests, path=path)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_scenario(
    text: str, source: str, *, name: str, manifests: Path = MANIFESTS, path: Path | None = None
) -> Scenario:
    """Validate scenario YAML ``text``; ``source`` names it in errors."""
    ctx = _Ctx(source)
    try:
        data = load_value(source, text)
    except YAMLInputError as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise ctx.error(None, f"not valid YAML: {at}{exc.problem}") from None
    if not isinstance(data, dict):
        raise ctx.error(None, "must be a mapping with title, description, manifests and steps")
    _unknown(ctx, data, TOP_FIELDS, "")
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise ctx.error("steps", "must be a non-empty list of steps")
    gallery = _int(ctx, data, "gallery", len(steps_data))
    if not 1 <= gallery <= len(steps_data):
        raise ctx.error("gallery", f"must be a step number from 1 to {len(steps_data)}")
    return Scenario(
        name=name,
        path=path or Path(source),
        title=_text(ctx, data, "title"),
        description=_text(ctx, data, "description"),
        manifests=_manifests(ctx, data.get("manifests", []), manifests),
        steps=tuple(_step(_Ctx(source, i), raw) for i, raw in enumerate(steps_data, 1)),
        beat=_duration(ctx, data, "beat", 1.0),
        seed=_int(ctx, data, "seed", 0),
        nodes=_int(ctx, data, "nodes", 3),
        namespace=_text(ctx, data, "namespace", "default"),
        settle=_bool(ctx, data, "settle", True),
        speed=_speed(ctx, data),
        gallery=gallery,
    )


def _unknown(ctx: _Ctx, data: dict[Any, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ctx.error(
                f"{prefix}{key}", f"unknown field (expected one of {', '.join(allowed)})"
            )


def _text(ctx: _Ctx, data: dict[str, Any], field: str, default: str | None = None) -> str:
    value = data.get(field, default)
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(field, "must be a non-empty string")
    return value.strip()


def _int(ctx: _Ctx, data: dict[str, Any], field: str, default: int) -> int:
    value = data.get(field, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ctx.error(field, "must be a whole number ≥ 0")
    return value


def _speed(ctx: _Ctx, data: dict[str, Any]) -> float:
    value = data.get("speed", 1.0)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 1 / 16 <= value <= 64:
        raise ctx.error("speed", "must be a number from 0.0625 to 64 (simulated s per real s)")
    return float(value)


def _bool(ctx: _Ctx, data: dict[str, Any], field: str, default: bool) -> bool:
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise ctx.error(field, "must be true or false")
    return value


def _duration(
    ctx: _Ctx, data: dict[str, Any], field: str, default: float, label: str = ""
) -> float:
    value = data.get(field, default)
    seconds = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = parse_duration(value)
    if seconds is None or seconds < 0:
        raise ctx.error(
            label or field, f"must be a duration such as 5s, 1m30s or 2.5 (got {value!r})"
        )
    return seconds


def _manifests(ctx: _Ctx, value: Any, directory: Path) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ctx.error("manifests", "must be a list of files under demos/manifests/")
    paths: list[Path] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ctx.error(f"manifests[{i}]", "must be a file name")
        path = directory / item
        if not path.is_file():
            raise ctx.error(
                f"manifests[{i}]", f"no such file: {item} (looked in {_shown(directory)})"
            )
        paths.append(path)
    return tuple(paths)


def _step(ctx: _Ctx, raw: Any) -> Step:
    if not isinstance(raw, dict):
        raise ctx.error(None, f"must be a mapping with one of: {', '.join(ACTIONS)}")
    actions = [a for a in ACTIONS if a in raw]
    if len(actions) != 1:
        found = ", ".join(actions) or "none"
        raise ctx.error(None, f"needs exactly one of {', '.join(ACTIONS)} (found {found})")
    kind = actions[0]
    _unknown(ctx, raw, (kind, *STEP_FIELDS[kind]), "")
    return _BUILDERS[kind](ctx, raw)


def _caption(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    return Step(ctx.step or 0, "caption", text=_text(ctx, raw, "caption"))


def _command(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    line = _command_line(ctx, raw, "command")
    return Step(ctx.step or 0, "command", text=line, expect=_expect(ctx, raw))


def _command_line(ctx: _Ctx, raw: dict[str, Any], field: str) -> str:
    line = _text(ctx, raw, field)
    try:
        words = kubectl.split(line)
    except ValueError as exc:
        raise ctx.error(field, f"cannot be split into words: {exc}") from exc
    if words and words[0] in ("kubectl", "k"):
        words = words[1:]
    if not words:
        raise ctx.error(field, "names no command")
    if words[0] not in COMMANDS and words[0] not in TOOLS:
        raise ctx.error(field, f'unknown command "{words[0]}"')
    blocking = _blocking(words)
    if blocking:
        raise ctx.error(field, blocking)
    return line


def _blocking(words: list[str]) -> str:
    """Why a command would wait on the virtual clock but not in the live app ("" if not).

    In the app the cluster runs by itself and commands never block, so a demo says what it
    waits for with pause and wait steps, and every player follows the same timeline.
    """
    verb = words[0]
    if verb in ("sleep", "wait"):
        return f"{verb} blocks only in scripts: use a pause or wait step"
    if verb == "rollout" and words[1:2] == ["status"]:
        return "rollout status blocks only in scripts: use wait steps"
    if verb == "drain":
        return "drain blocks only in scripts: cordon, then delete pods with --wait=false"
    if verb == "delete" and not any(
        w in ("--wait=false", "--force") or w.startswith("--grace-period=0") for w in words
    ):
        return (
            "delete waits for the objects to go only in scripts: add --wait=false and a wait step"
        )
    return ""


def _expect(ctx: _Ctx, raw: dict[str, Any]) -> tuple[str, ...]:
    value = raw.get("expect", [])
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ctx.error("expect", "must be text (or a list of texts) the output contains")
    return tuple(items)


def _keys(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    value = raw["keys"]
    keys = value.split() if isinstance(value, str) else value
    if not isinstance(keys, list) or not keys or not all(_key_name(k) for k in keys):
        raise ctx.error("keys", "must be key names (a list, or words: plus ctrl+d y)")
    focus = raw.get("focus")
    if focus is not None and focus not in PANELS:
        raise ctx.error("focus", f"must be one of {', '.join(PANELS)}")
    if "equivalent" not in raw:
        if not set(keys) <= VIEW_KEYS:
            raise ctx.error(
                "equivalent", "required with keys: the command the headless player runs"
            )
        return Step(ctx.step or 0, "keys", keys=tuple(keys), focus=focus)
    return Step(
        ctx.step or 0,
        "keys",
        keys=tuple(keys),
        focus=focus,
        select=_select(ctx, raw.get("select")),
        equivalent=_command_line(ctx, raw, "equivalent"),
        expect=_expect(ctx, raw),
    )


def _key_name(key: Any) -> bool:
    return isinstance(key, str) and bool(key) and not any(c.isspace() for c in key)


def _select(ctx: _Ctx, value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    return _object(ctx, value, "select")


def _object(ctx: _Ctx, value: Any, field: str) -> tuple[str, str]:
    if not isinstance(value, str) or value.count("/") != 1 or not all(value.split("/")):
        raise ctx.error(field, f"must be TYPE/NAME, such as pod/web-0 (got {value!r})")
    word, name = value.split("/")
    try:
        return resolve_kind(word), name
    except KubectlError as exc:
        raise ctx.error(field, f'unknown resource type "{word}"') from exc


def _pause(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    return Step(ctx.step or 0, "pause", seconds=_duration(ctx, raw, "pause", 0.0))


def _pin(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    query = _text(ctx, raw, "pin")
    if query.split()[0] not in DNS_TOOLS:
        raise ctx.error("pin", f"must be a DNS query ({', '.join(DNS_TOOLS)} …)")
    return Step(ctx.step or 0, "pin", text=query)


def _wait(ctx: _Ctx, raw: dict[str, Any]) -> Step:
    spec = raw["wait"]
    if not isinstance(spec, dict):
        raise ctx.error("wait", "must be a mapping: {for: condition=Ready, object: pod/web-0}")
    _unknown(ctx, spec, WAIT_FIELDS, "wait.")
    condition, value = _condition(ctx, spec.get("for"))
    if "object" not in spec:
        raise ctx.error("wait.object", "required: TYPE/NAME, such as pod/web-0")
    kind, name = _object(ctx, spec["object"], "wait.object")
    timeout = _duration(ctx, spec, "timeout", 30.0, "wait.timeout")
    wait = WaitFor(kind, name, condition, value, timeout)
    return Step(ctx.step or 0, "wait", wait=wait)


def _condition(ctx: _Ctx, value: Any) -> tuple[str | None, str]:
    if value == "delete":
        return None, "True"
    if isinstance(value, str) and value.startswith("condition="):
        name, _, want = value[len("condition=") :].partition("=")
        if name and (want or "=" not in value[len("condition=") :]):
            return name, want or "True"
    raise ctx.error("wait.for", "must be condition=NAME or delete")


_BUILDERS = {
    "caption": _caption,
    "command": _command,
    "keys": _keys,
    "pause": _pause,
    "wait": _wait,
    "pin": _pin,
}
