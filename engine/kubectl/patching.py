"""Patches as ``kubectl patch`` sends them: strategic merge (default), JSON merge, JSON patch.

Strategic merge follows the API's patch strategies for the fields the playground models:
lists of containers, ports, volumes, volumeMounts, env and volumeClaimTemplates merge by their
key (``name``, ``containerPort``, ``mountPath``, ``metadata.name``); other lists are replaced;
``null`` deletes a key; ``$patch: replace`` / ``$patch: delete`` are honoured on maps.
"""

from __future__ import annotations

from typing import Any

from engine.kubectl.parse import error
from engine.objects import Obj, copy_obj

#: list field name -> merge key (strategic merge patch)
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "tolerations": "key",
    "imagePullSecrets": "name",
}


def apply_patch(obj: Obj, patch: Any, kind: str) -> Obj:
    """The object after ``patch`` (of ``kind`` strategic|merge|json)."""
    if kind == "json":
        if not isinstance(patch, list):
            raise error("unable to parse JSON patch: expected a list of operations")
        return json_patch(copy_obj(obj), patch)
    if not isinstance(patch, dict):
        raise error("unable to parse patch: expected a JSON/YAML object")
    merged = _merge(copy_obj(obj), patch, strategic=(kind == "strategic"))
    if not isinstance(merged, dict):
        raise error("patch removed the whole object")
    return merged


def _merge(target: Any, patch: Any, strategic: bool, field: str = "") -> Any:
    if not isinstance(patch, dict):
        if (
            strategic
            and isinstance(patch, list)
            and isinstance(target, list)
            and field in MERGE_KEYS
        ):
            return _merge_list(target, patch, MERGE_KEYS[field])
        return copy_obj(patch)
    if patch.get("$patch") == "replace" and strategic:
        return {k: copy_obj(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete" and strategic:
        return None
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        else:
            merged = _merge(result.get(key), value, strategic, key)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
    return result


def _merge_list(target: list[Any], patch: list[Any], key: str) -> list[Any]:
    result = [copy_obj(item) for item in target]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            return copy_obj(patch)
        index = next(
            (
                i
                for i, cur in enumerate(result)
                if isinstance(cur, dict) and cur.get(key) == item[key]
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append(copy_obj(item))
        else:
            result[index] = _merge(result[index], item, True)
    return result


def json_patch(doc: Obj, ops: list[Any]) -> Obj:
    """RFC 6902 add / remove / replace / test on ``doc``."""
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise error("unable to parse JSON patch: each operation needs op and path")
        parent, last = _resolve(doc, str(op["path"]))
        name = op["op"]
        if name in ("add", "replace"):
            _put(parent, last, copy_obj(op.get("value")), name == "add", op["path"])
        elif name == "remove":
            _remove(parent, last, op["path"])
        elif name == "test":
            if _get(parent, last, op["path"]) != op.get("value"):
                raise error(f"testing value {op['path']} failed")
        else:
            raise error(f"Unexpected kind: {name}")
    return doc


def _tokens(path: str) -> list[str]:
    if not path.startswith("/"):
        raise error(f"unable to parse JSON patch: invalid path {path!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _resolve(doc: Any, path: str) -> tuple[Any, str]:
    tokens = _tokens(path)
    cur = doc
    for token in tokens[:-1]:
        cur = _get(cur, token, path)
    return cur, tokens[-1]


def _get(cur: Any, token: str, path: str) -> Any:
    if isinstance(cur, dict) and token in cur:
        return cur[token]
    if isinstance(cur, list) and token.isdigit() and int(token) < len(cur):
        return cur[int(token)]
    raise error(f"jsonpatch: path {path} does not exist")


def _put(parent: Any, token: str, value: Any, add: bool, path: str) -> None:
    if isinstance(parent, dict):
        if not add and token not in parent:
            raise error(f"jsonpatch replace operation does not apply: doc is missing key: {path}")
        parent[token] = value
    elif isinstance(parent, list):
        if token == "-" and add:
            parent.append(value)
        elif token.isdigit() and int(token) <= len(parent) - (0 if add else 1):
            if add:
                parent.insert(int(token), value)
            else:
                parent[int(token)] = value
        else:
            raise error(f"jsonpatch: path {path} does not exist")
    else:
        raise error(f"jsonpatch: path {path} does not exist")


def _remove(parent: Any, token: str, path: str) -> None:
    if isinstance(parent, dict) and token in parent:
        del parent[token]
    elif isinstance(parent, list) and token.isdigit() and int(token) < len(parent):
        parent.pop(int(token))
    else:
        raise error(f"jsonpatch remove operation does not apply: doc is missing path: {path}")
