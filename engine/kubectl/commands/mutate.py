"""``kubectl scale``, ``patch``, ``set image``, ``label`` and ``annotate``.

Each validates everything first and only then writes, so a failing command changes nothing.
Messages are kubectl's: ``statefulset.apps/web scaled``, ``… patched`` / ``… patched (no
change)``, ``… image updated``, ``pod/web-0 labeled``.
"""

from __future__ import annotations

import json
from typing import Any

from engine.admission import AdmissionInvalid, review
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.patch_check import decode_patched, scale_error
from engine.kubectl.patching import apply_patch
from engine.kubectl.resources import Target, parse_targets, qualified_singular
from engine.objects import Obj, copy_obj
from engine.yaml_in import MAX_DEPTH, YAMLInputError, load_value

_NO_RESOURCES = (
    "You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n"
    "   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n"
    "   '<resource>'"
)
_SCALABLE = ("StatefulSet", "Deployment", "ReplicaSet")


def objects(env: Env, targets: list[Target], selector: str = "", all_: bool = False) -> list[Obj]:
    """The named objects (NotFound for the first missing one), or those selected."""
    found: list[Obj] = []
    for target in targets:
        if target.names:
            found.extend(env.must_get(target.kind, name) for name in target.names)
        elif selector or all_:
            found.extend(env.list(target.kind, env.namespace, selector_of(selector)))
    return found


def ref(obj: Obj) -> str:
    """``statefulset.apps/web``."""
    return f"{qualified_singular(obj['kind'])}/{obj['metadata']['name']}"


# -- scale ----------------------------------------------------------------------------------
SCALE_FLAGS = (
    Flag("replicas", "int", default=None),
    Flag("current-replicas", "int", default=-1),
    Flag("selector", "str", "l", ""),
    Flag("all", "bool"),
    Flag("filename", "strs", "f"),
    Flag("timeout", "str", default="0s"),
)


def run_scale(env: Env, p: Parsed) -> None:
    """``kubectl scale TYPE NAME --replicas=N``."""
    if p.flags["replicas"] is None:
        raise error('required flag(s) "replicas" not set')
    replicas = int(p.flags["replicas"])
    if replicas < 0:
        raise error(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    if not p.args:
        raise error(_NO_RESOURCES)
    targets = parse_targets(p.args)
    objs = objects(env, targets, p.text("selector"), p.flag("all"))
    for obj in objs:
        if obj["kind"] not in _SCALABLE:
            raise KubectlError(
                "Error from server (NotFound): the server could not find the requested resource\n"
            )
        current = (obj.get("spec") or {}).get("replicas", 1)
        expected = int(p.flags["current-replicas"])
        if expected >= 0 and current != expected:
            raise error(f"Expected replicas to be {expected}, was {current}")
        if (too_big := scale_error(obj, replicas)) is not None:
            raise too_big
    if not objs:
        raise error("no objects passed to scale")
    for obj in objs:
        md = obj["metadata"]
        env.cluster.scale(obj["kind"], md["namespace"], md["name"], replicas)
        env.out(f"{ref(obj)} scaled\n")


# -- patch ----------------------------------------------------------------------------------
PATCH_FLAGS = (
    Flag("patch", "str", "p", ""),
    Flag("type", "str", default="strategic"),
    Flag("filename", "strs", "f"),
)


def run_patch(env: Env, p: Parsed) -> None:
    """``kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]``."""
    if not p.text("patch"):
        raise error("must specify --patch or --patch-file containing the contents of the patch")
    kind_type = p.text("type")
    if kind_type not in ("strategic", "merge", "json"):
        raise error(f'--type must be one of [json merge strategic], not "{kind_type}"')
    if not p.args:
        raise error(_NO_RESOURCES)
    patch = _load_patch(p.text("patch"))
    objs = objects(env, parse_targets(p.args))
    updates = [(obj, _patched(env, obj, patch, kind_type)) for obj in objs]
    for obj, new in updates:
        if new == obj:
            env.out(f"{ref(obj)} patched (no change)\n")
            continue
        env.cluster.store.update(new)
        env.out(f"{ref(obj)} patched\n")


def _patched(env: Env, obj: Obj, patch: Any, patch_type: str) -> Obj:
    """``obj`` after ``patch``, decoded and admitted like an apply (nothing is written here:
    every target is checked before the first write)."""
    new = decode_patched(apply_patch(obj, patch, patch_type), patch, patch_type)
    if new != obj:
        _, errors = review(env.cluster.store, new, obj)
        if errors:
            raise AdmissionInvalid(obj["kind"], obj["metadata"]["name"], errors)
    return new


def _load_patch(text: str) -> Any:
    """The patch as JSON, else YAML, nested at most ``MAX_DEPTH`` deep (like manifests)."""
    too_deep = error(f'unable to parse "{text}": yaml: exceeded max depth of {MAX_DEPTH}')
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        try:
            return load_value("patch", text)
        except YAMLInputError as exc:
            at = f"line {exc.line}: " if exc.line else ""
            raise error(f'unable to parse "{text}": yaml: {at}{exc.problem}') from None
    except RecursionError:
        raise too_deep from None
    if _depth(value) > MAX_DEPTH:
        raise too_deep
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a decoded JSON value (iteratively)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


# -- set image ------------------------------------------------------------------------------
SET_FLAGS = (Flag("all", "bool"), Flag("selector", "str", "l", ""), Flag("filename", "strs", "f"))


def run_set(env: Env, p: Parsed) -> None:
    """``kubectl set image TYPE/NAME CONTAINER=IMAGE…``."""
    if not p.args or p.args[0] != "image":
        sub = p.args[0] if p.args else ""
        if sub:
            raise error(f"unknown command \"{sub}\"\nSee 'kubectl set -h' for help and examples")
        raise error("a sub-command is required: kubectl set image")
    words = p.args[1:]
    pairs = [w for w in words if "=" in w]
    resources = [w for w in words if "=" not in w]
    if not resources or not pairs:
        raise error("one or more resources and one or more container=image pairs must be specified")
    images = dict(w.split("=", 1) for w in pairs)
    objs = objects(env, parse_targets(resources), p.text("selector"), p.flag("all"))
    changes = [(obj, _set_images(obj, images)) for obj in objs]
    for obj, new in changes:
        env.cluster.store.update(new)
        env.out(f"{ref(obj)} image updated\n")


def _set_images(obj: Obj, images: dict[str, str]) -> Obj:
    new = copy_obj(obj)
    spec = new.get("spec") or {}
    pod_spec = spec if obj["kind"] == "Pod" else (spec.get("template") or {}).get("spec") or {}
    containers = pod_spec.get("containers") or []
    names = {c.get("name") for c in containers}
    for name in images:
        if name != "*" and name not in names:
            raise error(f'unable to find container named "{name}"')
    for c in containers:
        image = images.get(c.get("name")) or images.get("*")
        if image:
            c["image"] = image
    return new


# -- label / annotate -------------------------------------------------------------------------
META_FLAGS = (
    Flag("overwrite", "bool"),
    Flag("all", "bool"),
    Flag("selector", "str", "l", ""),
    Flag("list", "bool"),
)


def _meta_command(field: str, verb: str) -> Command:
    def handler(env: Env, p: Parsed) -> None:
        _run_meta(env, p, field, verb)

    name = "label" if field == "labels" else "annotate"
    return Command(name, META_FLAGS, handler)


def _run_meta(env: Env, p: Parsed, field: str, verb: str) -> None:
    changes = [w for w in p.args if "=" in w or (w.endswith("-") and "/" not in w[:-1])]
    resources = [w for w in p.args if w not in changes]
    if not resources:
        raise error(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>"
        )
    if not changes:
        raise error(f"at least one {field[:-1]} update is required")
    adds = dict(c.split("=", 1) for c in changes if "=" in c)
    removes = [c[:-1] for c in changes if "=" not in c]
    objs = objects(env, parse_targets(resources), p.text("selector"), p.flag("all"))
    if not any(t.names for t in parse_targets(resources)) and not (
        p.text("selector") or p.flag("all")
    ):
        raise error("resource(s) were provided, but no name was specified")
    plans = [(obj, _meta_update(obj, field, adds, removes, p.flag("overwrite"))) for obj in objs]
    for obj, new in plans:
        if new == obj:
            env.out(f"{ref(obj)} not {verb}\n")
            continue
        env.cluster.store.update(new)
        done = verb if adds or field == "annotations" else f"un{verb}"
        env.out(f"{ref(obj)} {done}\n")


def _meta_update(
    obj: Obj, field: str, adds: dict[str, str], removes: list[str], overwrite: bool
) -> Obj:
    new = copy_obj(obj)
    values: dict[str, str] = dict(new["metadata"].get(field) or {})
    for key, value in adds.items():
        if key in values and values[key] != value and not overwrite:
            raise error(f"'{key}' already has a value ({values[key]}), and --overwrite is false")
        values[key] = value
    for key in removes:
        values.pop(key, None)
    if values:
        new["metadata"][field] = values
    else:
        new["metadata"].pop(field, None)
    return new


SCALE = Command("scale", SCALE_FLAGS, run_scale)
PATCH = Command("patch", PATCH_FLAGS, run_patch)
SET = Command("set", SET_FLAGS, run_set)
LABEL = _meta_command("labels", "labeled")
ANNOTATE = _meta_command("annotations", "annotated")
