"""Validation of a decoded save file, before anything is built from it.

A save file is trusted only after every part :func:`engine.persist.restore` reads has the
right shape: a corrupt or hand-edited file gets one clear error naming the file, the line (of
the offending key, found in the text) and what is wrong, e.g.
``save.json: line 3: not a playground save file (version must be an integer)``.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from engine.objects import KINDS, is_namespaced


class SaveFileError(ValueError):
    """The file is not a loadable playground save."""


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def validate(doc: Any, text: str, name: str, fmt: str, version: int) -> None:
    """Raise :class:`SaveFileError` unless ``doc`` is a loadable save of ``fmt``/``version``."""
    try:
        _check(doc, fmt, version)
    except _Bad as bad:
        line = _line_of(text, bad.key)
        raise SaveFileError(
            f"{name}: line {line}: not a playground save file ({bad.message})"
        ) from None


def _line_of(text: str, key: str) -> int:
    index = text.find(json.dumps(key)) if key else -1
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _check(doc: Any, fmt: str, version: int) -> None:
    if not isinstance(doc, dict):
        raise _Bad("", f"expected a JSON object, found {type(doc).__name__}")
    if doc.get("format") != fmt:
        raise _Bad("format", f'"format" is not "{fmt}"')
    got = doc.get("version")
    if not isinstance(got, int) or isinstance(got, bool):
        raise _Bad("version", "version must be an integer")
    if got > version:
        raise _Bad("version", f"version {got} is newer than this playground reads ({version})")
    if got < 1:
        raise _Bad("version", f"unknown version {got}")
    for key in ("config", "clock", "store", "rngs", "data", "components"):
        _mapping(doc.get(key), key)
    _clock(doc["clock"])
    _store(doc["store"])
    _rngs(doc["rngs"])
    for key in ("volumes", "containers", "emptyDirs"):
        _files(doc["data"].get(key), key)
    if "extensions" in doc:
        _mapping(doc["extensions"], "extensions")
    _config(doc["config"])


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(key, f'"{key}" must be an object')
    return value


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(key, f'"{key}" must be a finite number')
    return float(value)


def _clock(clock: dict[str, Any]) -> None:
    if _number(clock.get("now"), "now") < 0:
        raise _Bad("now", '"now" must not be negative')
    try:
        epoch = datetime.fromisoformat(str(clock.get("epoch")))
    except ValueError:
        raise _Bad("epoch", '"epoch" must be an ISO 8601 time') from None
    if epoch.tzinfo is None:
        raise _Bad("epoch", '"epoch" needs a time zone')


def _store(store: dict[str, Any]) -> None:
    rv = store.get("resourceVersion")
    if not isinstance(rv, int) or isinstance(rv, bool) or rv < 0:
        raise _Bad("resourceVersion", '"resourceVersion" must be a non-negative integer')
    objects = store.get("objects")
    if not isinstance(objects, list):
        raise _Bad("objects", '"objects" must be a list')
    seen: set[tuple[str, str, str]] = set()
    for i, obj in enumerate(objects):
        where = f"store.objects[{i}]"
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise _Bad("objects", f"{where} is not an object with metadata")
        kind = obj.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise _Bad("objects", f"{where}: unknown kind {kind!r}")
        md = obj["metadata"]
        name, ns = md.get("name"), md.get("namespace", "")
        if not isinstance(name, str) or not name or not isinstance(ns, str):
            raise _Bad("objects", f"{where} ({kind}): metadata.name must be a non-empty string")
        key = (kind, ns if is_namespaced(kind) else "", name)
        if key in seen:
            raise _Bad("objects", f"{where}: duplicate {kind} {ns + '/' if ns else ''}{name}")
        seen.add(key)


def _rngs(rngs: dict[str, Any]) -> None:
    for purpose, state in rngs.items():
        ok = (
            isinstance(state, list)
            and len(state) == 3
            and isinstance(state[0], int)
            and isinstance(state[1], list)
            and len(state[1]) == 625
            and all(isinstance(v, int) and 0 <= v < 2**32 for v in state[1][:624])
            and (state[2] is None or isinstance(state[2], float))
        )
        if not ok:
            raise _Bad(purpose, f"random state {purpose!r} is malformed")


def _files(value: Any, key: str) -> None:
    mapping = _mapping(value, key)
    for owner, files in mapping.items():
        if not isinstance(files, dict) or not all(
            isinstance(p, str) and isinstance(t, str) for p, t in files.items()
        ):
            raise _Bad(key, f"{key}[{owner!r}] must map paths to text")


def _config(config: dict[str, Any]) -> None:
    for key in ("seed", "nodes", "node_capacity"):
        value = config.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Bad(key, f'config "{key}" must be an integer')
    for key in ("cluster_domain", "service_cidr", "dns_ip"):
        if key in config and not isinstance(config[key], str):
            raise _Bad(key, f'config "{key}" must be a string')
    timings = config.get("timings") or {}
    if not isinstance(timings, dict):
        raise _Bad("timings", '"timings" must be an object')
    for key, value in timings.items():
        _number(value, key)
