"""Field errors as the API server words them (apimachinery ``util/validation/field``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

FieldPath = tuple[str | int, ...]


def path_str(path: Sequence[str | int]) -> str:
    """``spec.template.spec.containers[0].image`` for ``("spec", …, "containers", 0, "image")``;
    a part written ``"[storage]"`` is a map key (``spec.resources[storage]``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("["):  # a map key, as field.Path.Key renders it
            out += part
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class GoStruct:
    """A value the API validates as an internal Go struct (no JSON tags): ``json.Marshal``
    prints its fields capitalised and in declaration order, e.g.
    ``{"Partition":0,"MaxUnavailable":1}``. ``fields`` are (Go name, value) pairs."""

    fields: tuple[tuple[str, Any], ...]

    def json(self) -> str:
        """The Go JSON text."""
        inner = ",".join(f"{json.dumps(k)}:{go_value(v)}" for k, v in self.fields)
        return "{" + inner + "}"


def go_value(value: Any) -> str:
    """A bad value as ``field.Error`` prints it: simple types plain, strings quoted, the rest
    JSON (Go's ``json.Marshal``: sorted keys, no spaces)."""
    if value is None:
        return "null"
    if isinstance(value, GoStruct):
        return value.json()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class FieldError:
    """One field error: ``<path>: <Type>[: <value>][: <detail>]``."""

    kind: str
    path: FieldPath
    value: Any = None
    detail: str = ""
    #: whether the value is printed (Required/Forbidden/TooLong never print it)
    show_value: bool = True

    def body(self) -> str:
        """The message without the field path."""
        text = self.kind
        if self.show_value:
            text += f": {go_value(self.value)}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def __str__(self) -> str:
        where = path_str(self.path)
        return f"{where}: {self.body()}" if where else self.body()


def required(path: FieldPath, detail: str = "") -> FieldError:
    """``Required value``."""
    return FieldError("Required value", path, detail=detail, show_value=False)


def invalid(path: FieldPath, value: Any, detail: str) -> FieldError:
    """``Invalid value: <value>: <detail>``."""
    return FieldError("Invalid value", path, value, detail)


def forbidden(path: FieldPath, detail: str) -> FieldError:
    """``Forbidden: <detail>``."""
    return FieldError("Forbidden", path, detail=detail, show_value=False)


def duplicate(path: FieldPath, value: Any) -> FieldError:
    """``Duplicate value: <value>``."""
    return FieldError("Duplicate value", path, value)


def not_found(path: FieldPath, value: Any) -> FieldError:
    """``Not found: <value>``."""
    return FieldError("Not found", path, value)


def not_supported(path: FieldPath, value: Any, supported: Iterable[str]) -> FieldError:
    """``Unsupported value: <value>: supported values: "A", "B"``."""
    quoted = ", ".join(json.dumps(s) for s in supported)
    return FieldError("Unsupported value", path, value, f"supported values: {quoted}")


def aggregate(errors: Sequence[FieldError]) -> str:
    """``<err>`` or ``[<err>, <err>]`` (``ErrorList.ToAggregate``)."""
    if len(errors) == 1:
        return str(errors[0])
    return f"[{', '.join(str(e) for e in errors)}]"


def api_invalid(kind: str, group: str, name: str, errors: Sequence[FieldError]) -> str:
    """The API server's Invalid status message: ``StatefulSet.apps "web" is invalid: …``,
    ``Pod "web-0" is invalid: …`` (what controllers see and put in events)."""
    qualified = f"{kind}.{group}" if group else kind
    return f'{qualified} "{name}" is invalid: {aggregate(errors)}'


def kubectl_invalid(kind: str, name: str, errors: Sequence[FieldError]) -> str:
    """kubectl's rendering of the same error: ``The StatefulSet "web" is invalid: …``."""
    return f'The {kind} "{name}" is invalid: {aggregate(errors)}'
