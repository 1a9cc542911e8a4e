"""The API server's decoding of a patched object, with its error wording.

A patch is applied to the stored object and the result is *decoded* into the Go type before
admission sees it, so a patch that sets ``spec.replicas`` to ``"many"`` fails exactly like a
manifest would, and nothing is stored. The wording depends on the patch type
(``apiserver/pkg/endpoints/handlers/patch.go``):

* **strategic merge** goes through the unstructured converter
  (``runtime.DefaultUnstructuredConverter``): a wrong type reads ``The request is invalid:
  patch: Invalid value: "map[spec:map[replicas:many]]": unrecognized type: int32`` (the patch
  printed with Go's ``%+v``), or ``cannot convert int64 to string``, ``cannot restore struct
  from: string``;
* **JSON merge** and **JSON patch** go through the JSON decoder: ``The request is invalid:
  patch: Invalid value: "<the patched object as JSON>": json: cannot unmarshal string into Go
  struct field StatefulSetSpec.spec.replicas of type int32`` (for fields whose Go struct the
  schema does not name, the schema's own ``must be …`` message stands in);
* an unknown field, for any type: ``Error from server (BadRequest): strict decoding error:
  unknown field "spec.replica"`` (kubectl's field validation is strict).

A number beyond int32 in an int32 field gets the JSON decoder's ``cannot unmarshal number …``
message for every patch type (the converter would silently wrap it; that is not reproduced).
"""

from __future__ import annotations

import json
from typing import Any

from engine.kubectl.parse import KubectlError
from engine.objects import Obj
from engine.schema.apps import SCHEMAS
from engine.schema.errors import go_value
from engine.schema.types import (
    BOOL,
    INT,
    INT32_MAX,
    NUM,
    STR,
    DecodeError,
    Int32,
    MapOf,
    decode_errors,
    normalize,
    schema_at,
)

_INVALID = "The request is invalid: patch: Invalid value: "


def decode_patched(patched: Obj, patch: Any, patch_type: str) -> Obj:
    """The patched object as the API server decodes it (nulls dropped, integral floats made
    ints), or :class:`KubectlError` with the server's message."""
    schema = SCHEMAS.get(str(patched.get("kind")))
    if schema is None:
        return patched
    errors = decode_errors(patched, schema)
    type_errors = [e for e in errors if not e.message.startswith("strict decoding error")]
    if type_errors:
        raise KubectlError(_type_message(type_errors[0], patched, patch, patch_type, schema))
    if errors:
        raise KubectlError(f"Error from server (BadRequest): {errors[0].message}\n")
    result: Obj = normalize(patched, schema)
    return result


def _type_message(err: DecodeError, patched: Obj, patch: Any, patch_type: str, schema: Any) -> str:
    field_schema = schema_at(schema, err.path)
    value = _value_at(patched, err.path)
    if err.message.startswith("json: "):  # int32 range: the decoder's words for every type
        return f"{_INVALID}{go_value(_go_json(patched))}: {err.message}\n"
    if patch_type == "strategic":
        detail = _converter_error(value, field_schema) or err.message
        return f"{_INVALID}{go_value(go_map(patch))}: {detail}\n"
    detail = err.message
    if isinstance(field_schema, Int32):
        dotted = ".".join(str(p) for p in err.path if not isinstance(p, int))
        detail = (
            f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
            f"{field_schema.struct}.{dotted} of type int32"
        )
    return f"{_INVALID}{go_value(_go_json(patched))}: {detail}\n"


def _value_at(obj: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _go_kind(value: Any) -> str:
    """The Go kind of a decoded JSON value (unstructured: int64, float64, string…)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "slice" if isinstance(value, list) else "map"


def _json_kind(value: Any) -> str:
    """How encoding/json names the value it cannot store: ``string``, ``number 3.5``…"""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {go_value(value)}"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_SCALAR_GO = {STR: "string", INT: "int64", BOOL: "bool", NUM: "float64"}


def _converter_error(value: Any, schema: Any) -> str | None:
    """``runtime.DefaultUnstructuredConverter``'s message for ``value`` into ``schema``'s Go
    type (None where the schema's Go type has a custom decoder: quantities, int-or-string)."""
    source = _go_kind(value)
    if isinstance(schema, dict):
        return f"cannot restore struct from: {source}"
    if isinstance(schema, list):
        return f"cannot restore slice from {source}"
    if isinstance(schema, MapOf):
        return f"cannot restore map from {source}"
    target = "int32" if isinstance(schema, Int32) else _SCALAR_GO.get(schema)
    if target is None:
        return None
    numeric = source in ("int64", "float64")
    if numeric and target == "string":
        return f"cannot convert {source} to string"
    if source == "float64" and target in ("int32", "int64"):
        return f"cannot convert float64 to {target}"
    return f"unrecognized type: {target}"


def go_map(value: Any) -> str:
    """Go's ``%+v`` of a decoded JSON value: ``map[spec:map[replicas:many]]`` (sorted keys,
    strings bare, lists ``[a b]``, ``<nil>`` for null)."""
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_map(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_map(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _go_json(obj: Obj) -> str:
    """The patched object as the server marshals it to JSON (compact)."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def scale_error(obj: Obj, replicas: int) -> KubectlError | None:
    """``kubectl scale`` beyond int32: the scale subresource's decoder refuses the merge patch
    ``{"spec":{"replicas":N}}`` (the Scale object printed is abridged to what it shows)."""
    if replicas <= INT32_MAX:
        return None
    md = obj["metadata"]
    scale = {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion") if k in md},
        "spec": {"replicas": replicas},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0)},
    }
    return KubectlError(
        f"{_INVALID}{go_value(_go_json(scale))}: json: cannot unmarshal number {replicas} into "
        "Go struct field ScaleSpec.spec.replicas of type int32\n"
    )
