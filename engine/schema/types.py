"""A small schema language for the API types, and the decoding check that uses it.

A schema is one of:

* a scalar type name: :data:`STR`, :data:`INT`, :data:`BOOL`, :data:`NUM`, :data:`INTSTR`
  (``intstr.IntOrString``: ``targetPort``, ``maxUnavailable``), :data:`QTY`
  (``resource.Quantity``: a string like ``1Gi`` or a number);
* :class:`Int32` for an ``int32`` field (``replicas``): an integer the Go decoder refuses
  beyond the int32 range (``json: cannot unmarshal number 99999999999 into Go struct field
  StatefulSetSpec.spec.replicas of type int32``);
* :data:`OBJ` for a subtree typed only as "an object" (affinity, securityContext…), :data:`JSON`
  for any value;
* a ``dict`` of field name → schema (a Go struct: unknown fields are errors);
* a one-element ``list`` ``[schema]`` (a Go slice);
* :class:`MapOf` (a Go map with string keys).

:func:`decode_errors` plays the API server's strict JSON decoding: wrong types are reported
(``spec.replicas: Invalid value: "three": must be an integer``) and unknown fields are
collected like ``strict decoding error: unknown field "spec.replica"``. ``null`` is "unset",
as in Go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.quantity import QUANTITY_MSG, value_of
from engine.schema.errors import FieldError, FieldPath, go_value, invalid, path_str

STR = "string"
INT = "integer"
BOOL = "boolean"
NUM = "number"
INTSTR = "int-or-string"
QTY = "quantity"
OBJ = "object"
JSON = "any"


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


@dataclass(frozen=True)
class Int32:
    """An ``int32`` field of the Go struct ``struct`` (named in the decoder's range error)."""

    struct: str


@dataclass(frozen=True)
class MapOf:
    """A map from string keys to values of ``value`` schema."""

    value: Any


@dataclass(frozen=True)
class DecodeError:
    """A value the decoder cannot take: a wrong type, or an unknown field."""

    path: FieldPath
    message: str

    def __str__(self) -> str:
        return self.message


def unknown_field(path: FieldPath) -> DecodeError:
    """``strict decoding error: unknown field "spec.replica"``."""
    return DecodeError(path, f'strict decoding error: unknown field "{path_str(path)}"')


def _type_error(path: FieldPath, value: Any, expected: str) -> DecodeError:
    err: FieldError = invalid(path, value, f"must be {expected}")
    return DecodeError(path, str(err))


_SCALAR_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    STR: (lambda v: isinstance(v, str), "a string"),
    INT: (
        lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
        "an integer",
    ),
    BOOL: (lambda v: isinstance(v, bool), "a boolean"),
    NUM: (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    INTSTR: (
        lambda v: isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)),
        "an integer or a string",
    ),
    OBJ: (lambda v: isinstance(v, dict), "an object"),
    JSON: (lambda v: True, "a value"),
}


def decode_errors(value: Any, schema: Any, path: FieldPath = ()) -> list[DecodeError]:
    """Type and unknown-field errors of ``value`` against ``schema``, in document order."""
    out: list[DecodeError] = []
    _check(value, schema, path, out)
    return out


def _check(value: Any, schema: Any, path: FieldPath, out: list[DecodeError]) -> None:
    if value is None:
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            out.append(_type_error(path, value, "an object"))
            return
        for key, item in value.items():
            if key not in schema:
                out.append(unknown_field((*path, key)))
            else:
                _check(item, schema[key], (*path, key), out)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            out.append(_type_error(path, value, "a list"))
            return
        for i, item in enumerate(value):
            _check(item, schema[0], (*path, i), out)
    elif isinstance(schema, MapOf):
        if not isinstance(value, dict):
            out.append(_type_error(path, value, "an object"))
            return
        for key, item in value.items():
            _check(item, schema.value, (*path, key), out)
    elif isinstance(schema, Int32):
        _check_int32(value, schema, path, out)
    elif schema == QTY:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            out.append(_type_error(path, value, 'a quantity (a string like "1Gi")'))
        elif value_of(value) is None:
            out.append(
                DecodeError(
                    path, f"{path_str(path)}: Invalid value: {go_value(value)}: {QUANTITY_MSG}"
                )
            )
    else:
        ok, expected = _SCALAR_CHECKS[schema]
        if not ok(value):
            out.append(_type_error(path, value, expected))


def _check_int32(value: Any, schema: Int32, path: FieldPath, out: list[DecodeError]) -> None:
    ok, expected = _SCALAR_CHECKS[INT]
    if not ok(value):
        out.append(_type_error(path, value, expected))
    elif not INT32_MIN <= value <= INT32_MAX:
        dotted = ".".join(str(p) for p in path if not isinstance(p, int))
        number = str(int(value)) if isinstance(value, int) else repr(value)
        out.append(
            DecodeError(
                path,
                f"json: cannot unmarshal number {number} into Go struct field "
                f"{schema.struct}.{dotted} of type int32",
            )
        )


def go_type(schema: Any) -> str:
    """The Go type of a schema, as a decoder error names it (``int32``, ``string``…)."""
    if isinstance(schema, Int32):
        return "int32"
    names = {STR: "string", INT: "int64", BOOL: "bool", NUM: "float64", INTSTR: "IntOrString"}
    if isinstance(schema, str) and schema in names:
        return names[schema]
    if isinstance(schema, list):
        return "slice"
    return "map" if isinstance(schema, dict | MapOf) or schema == OBJ else "interface"


def schema_at(schema: Any, path: FieldPath) -> Any:
    """The schema of the field at ``path`` (:data:`JSON` where the schema does not say)."""
    for part in path:
        if isinstance(schema, list) and isinstance(part, int):
            schema = schema[0]
        elif isinstance(schema, MapOf):
            schema = schema.value
        elif isinstance(schema, dict) and part in schema:
            schema = schema[part]
        else:
            return JSON
    return schema


def normalize(value: Any, schema: Any) -> Any:
    """Drop ``null`` fields and turn integral floats of integer fields into ints (what the Go
    decoder does); ``value`` must have passed :func:`decode_errors`."""
    if isinstance(schema, dict) and isinstance(value, dict):
        return {k: normalize(v, schema.get(k, JSON)) for k, v in value.items() if v is not None}
    if isinstance(schema, list) and isinstance(value, list):
        return [normalize(v, schema[0]) for v in value]
    if isinstance(schema, MapOf) and isinstance(value, dict):
        return {k: normalize(v, schema.value) for k, v in value.items()}
    if (schema == INT or isinstance(schema, Int32)) and isinstance(value, float):
        return int(value)
    if schema == STR and value is None:
        return ""
    return value
