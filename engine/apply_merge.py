"""Client-side ``kubectl apply``: the last-applied annotation and the three-way merge.

kubectl keeps what it last applied in the ``kubectl.kubernetes.io/last-applied-configuration``
annotation (the manifest as JSON, keys sorted, with ``"annotations":{}`` and the namespace
filled in, plus a newline). A re-apply computes a patch from three versions: fields in the new
manifest are set; fields that were in the last-applied configuration but are gone from the
manifest are removed; everything else in the live object — defaults, a ``kubectl scale``, an
allocated clusterIP, a bound volumeName, status — is kept. Lists of containers, ports, env
vars, volumes and mounts merge item by item on their merge keys like a strategic merge patch;
other lists are replaced whole.
"""

from __future__ import annotations

import json
from typing import Any

from engine.objects import Obj, copy_obj

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

#: list field → merge key (patchMergeKey in k8s.io/api)
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
}


def last_applied_json(manifest: Obj) -> str:
    """The annotation value kubectl stores for ``manifest`` (Go ``json.Marshal`` + newline)."""
    obj = copy_obj(manifest)
    md = obj.setdefault("metadata", {})
    annotations = dict(md.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    md["annotations"] = annotations
    text = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text + "\n"


def with_last_applied(manifest: Obj) -> Obj:
    """A copy of ``manifest`` carrying its own last-applied annotation."""
    value = last_applied_json(manifest)
    obj = copy_obj(manifest)
    annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
    annotations[LAST_APPLIED] = value
    return obj


def previous_config(live: Obj) -> Obj:
    """The live object's last-applied configuration ({} when absent or unreadable)."""
    text = (live.get("metadata", {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def three_way_merge(live: Obj, last: Obj, new: Obj) -> Obj:
    """The object ``kubectl apply`` would leave: ``live`` patched from ``last`` to ``new``."""
    merged = _merge(live, last, new, ())
    assert isinstance(merged, dict)
    return merged


def _merge(live: Any, last: Any, new: Any, path: tuple[str, ...]) -> Any:
    if isinstance(new, dict) and isinstance(live, dict):
        out = dict(live)
        prior = last if isinstance(last, dict) else {}
        for key in prior:
            if key not in new:
                out.pop(key, None)
        for key, value in new.items():
            out[key] = _merge(live.get(key), prior.get(key), value, (*path, key))
        return out
    if isinstance(new, list) and isinstance(live, list):
        key = _merge_key(path)
        if key and _keyed(new, key) and _keyed(live, key):
            return _merge_list(live, last if isinstance(last, list) else [], new, key, path)
    return copy_obj(new)


def _merge_key(path: tuple[str, ...]) -> str | None:
    field = path[-1] if path else ""
    if field == "ports":
        return "containerPort" if "containers" in path or "initContainers" in path else "port"
    return _MERGE_KEYS.get(field)


def _keyed(items: list[Any], key: str) -> bool:
    return all(isinstance(item, dict) and key in item for item in items)


def _merge_list(
    live: list[Any], last: list[Any], new: list[Any], key: str, path: tuple[str, ...]
) -> list[Any]:
    live_by = {item[key]: item for item in live}
    last_by = {item[key]: item for item in last if isinstance(item, dict) and key in item}
    out = [_merge(live_by.get(item[key]), last_by.get(item[key]), item, path) for item in new]
    wanted = {item[key] for item in new}
    out += [copy_obj(i) for i in live if i[key] not in wanted and i[key] not in last_by]
    return out
