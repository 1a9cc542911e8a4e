"""``kubectl wait --for=condition=C[=V] | --for=delete | --for=jsonpath=…[=V]`` (pkg/cmd/wait).

Runs simulated time until each object meets the condition (``pod/web-1 condition met``) or
``--timeout`` (default 30 s) passes: ``error: timed out waiting for the condition on
pods/web-1``. As in kubectl: ``--for=delete`` silently skips objects that are already gone;
``--timeout=0`` checks once (``error: condition not met for pods/web-1``); an object that
disappears while waiting for a condition is a NotFound error; a condition whose
observedGeneration is older than the object's generation does not count.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.kubectl import output
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.parse import Flag, KubectlError, Parsed, error, parse_duration
from engine.kubectl.resources import not_found_text, parse_targets, qualified_singular
from engine.kubectl.waiting import can_wait, is_gone, ref, run_until
from engine.objects import Obj, is_namespaced

FLAGS = (
    Flag("for", "str", default=""),
    Flag("timeout", "str", default="30s"),
    Flag("selector", "str", "l", ""),
    Flag("all", "bool"),
    Flag("all-namespaces", "bool", "A"),
    Flag("filename", "strs", "f"),
)

#: kubectl wait's "negative timeout": a week
WEEK = 168 * 3600.0

Check = Callable[[Obj], bool]


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    check, deleting = _condition(p.text("for"))
    if not p.args:
        raise error("You must provide one or more resources by argument or filename.")
    timeout = _timeout(p.text("timeout"))
    objs = _objects(env, p, deleting)
    if not objs and not deleting:
        raise error("no matching resources found")
    for obj in objs:
        _wait_one(env, obj, check, deleting, timeout)


def _timeout(text: str) -> float:
    negative = text.startswith("-")
    seconds = parse_duration(text.lstrip("-"))
    if seconds is None:
        raise error(
            f'invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"'
        )
    return WEEK if negative else seconds


def _objects(env: Env, p: Parsed, deleting: bool) -> list[Obj]:
    objs: list[Obj] = []
    for target in parse_targets(p.args):
        if not target.names:
            if not p.text("selector") and not p.flag("all"):
                raise error("resource(s) were provided, but no name was specified")
            ns = None if p.flag("all-namespaces") else env.namespace
            objs.extend(env.list(target.kind, ns, selector_of(p.text("selector"))))
            continue
        ns = env.namespace if is_namespaced(target.kind) else ""
        for name in target.names:
            obj = env.cluster.store.get(target.kind, ns, name)
            if obj is not None:
                objs.append(obj)
            elif not deleting:
                raise KubectlError(not_found_text(target.kind, name))
    return objs


def _wait_one(env: Env, obj: Obj, check: Check, deleting: bool, timeout: float) -> None:
    md = obj["metadata"]
    vanished = {"yes": False}

    def current() -> Obj | None:
        return env.cluster.store.get(obj["kind"], md.get("namespace", ""), md["name"])

    def met() -> bool:
        if deleting:
            return is_gone(env, obj)
        now = current()
        if now is None:
            vanished["yes"] = True
            return True
        return check(now)

    if timeout == 0 or not can_wait(env):
        done = met()
    else:
        done = run_until(env, met, timeout)
    if vanished["yes"]:
        raise KubectlError(not_found_text(obj["kind"], md["name"]))
    if not done:
        if timeout == 0:
            raise error(f"condition not met for {ref(obj)}")
        if not can_wait(env):
            raise error(
                f"the condition is not met yet on {ref(obj)}: the live cluster keeps running "
                "by itself, so kubectl wait only blocks in scripts"
            )
        raise error(f"timed out waiting for the condition on {ref(obj)}")
    env.out(f"{qualified_singular(obj['kind'])}/{md['name']} condition met\n")


def _condition(spec: str) -> tuple[Check, bool]:
    """Parse ``--for``: (predicate on the current object, is-delete)."""
    if spec.lower() == "delete":
        return (lambda obj: False), True
    if spec.startswith("condition="):
        name, _, value = spec[len("condition=") :].partition("=")
        return _has_condition(name, value or "true"), False
    if spec.startswith("jsonpath="):
        parts = spec[len("jsonpath=") :].split("=")
        if len(parts) > 2 or not parts[0]:
            raise error(
                "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or "
                "--for=jsonpath='{.status.readyReplicas}'"
            )
        expr = parts[0] if parts[0].startswith("{") else "{" + parts[0] + "}"
        if len(parts) == 2:
            if not parts[1]:
                raise error("jsonpath wait value cannot be empty")
            value = parts[1].strip("'\"")
            return (lambda obj: output.jsonpath(expr, obj) == value), False
        return (lambda obj: output.jsonpath(expr, obj) != ""), False
    raise error(f'unrecognized condition: "{spec}"')


def _has_condition(name: str, want: str) -> Check:
    def check(obj: Obj) -> bool:
        status = obj.get("status") or {}
        generation = obj["metadata"].get("generation")
        for cond in status.get("conditions") or []:
            if str(cond.get("type", "")).lower() != name.lower() or "status" not in cond:
                continue
            observed = cond.get("observedGeneration", status.get("observedGeneration"))
            if generation is not None and observed is not None and observed < generation:
                return False
            return str(cond["status"]).lower() == want.lower()
        return False

    return check


COMMAND = Command("wait", FLAGS, run)
