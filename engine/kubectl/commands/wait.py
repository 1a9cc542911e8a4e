"""``kubectl wait --for=condition=C[=V] | --for=delete | --for=jsonpath=…=V`` (pkg/cmd/wait).

Runs simulated time until each object meets the condition (``pod/web-1 condition met``) or
``--timeout`` (default 30 s) passes: ``error: timed out waiting for the condition on
pods/web-1``.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.kubectl import output
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.resources import parse_targets, qualified_plural, qualified_singular
from engine.kubectl.waiting import can_wait, is_gone, ref, run_until, timeout_seconds
from engine.objects import Obj, is_namespaced

FLAGS = (
    Flag("for", "str", default=""),
    Flag("timeout", "str", default="30s"),
    Flag("selector", "str", "l", ""),
    Flag("all", "bool"),
    Flag("all-namespaces", "bool", "A"),
    Flag("filename", "strs", "f"),
)

Check = Callable[[Obj | None], bool]


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    check, deleting = _condition(p.text("for"))
    if not p.args:
        raise error(
            "resource(s) were provided, but no name was specified"
            if p.text("selector")
            else "You must provide one or more resources by argument or filename."
        )
    targets = parse_targets(p.args)
    timeout = timeout_seconds(p.text("timeout"), 30.0)
    objs: list[Obj] = []
    for target in targets:
        if target.names:
            for name in target.names:
                obj = env.cluster.store.get(target.kind, _ns(env, target.kind), name)
                if obj is None:
                    if deleting:
                        env.out(f"{qualified_singular(target.kind)}/{name} condition met\n")
                        continue
                    raise KubectlError(
                        f'Error from server (NotFound): {_plural(target.kind)} "{name}" not found\n'
                    )
                objs.append(obj)
        else:
            if not p.text("selector") and not p.flag("all"):
                raise error("resource(s) were provided, but no name was specified")
            ns = None if p.flag("all-namespaces") else env.namespace
            objs.extend(env.list(target.kind, ns, selector_of(p.text("selector"))))
    if not objs and not any(t.names for t in targets):
        raise error("no matching resources found")
    for obj in objs:
        _wait_one(env, obj, check, deleting, timeout)


def _ns(env: Env, kind: str) -> str:
    return env.namespace if is_namespaced(kind) else ""


def _plural(kind: str) -> str:
    return qualified_plural(kind)


def _wait_one(env: Env, obj: Obj, check: Check, deleting: bool, timeout: float) -> None:
    md = obj["metadata"]

    def met() -> bool:
        if deleting:
            return is_gone(env, obj)
        current = env.cluster.store.get(obj["kind"], md.get("namespace", ""), md["name"])
        return check(current)

    if not run_until(env, met, timeout):
        if not can_wait(env):
            raise error(
                f"the condition is not met yet on {ref(obj)}: the live cluster keeps running "
                "by itself, so kubectl wait only blocks in scripts"
            )
        raise error(f"timed out waiting for the condition on {ref(obj)}")
    env.out(f"{qualified_singular(obj['kind'])}/{md['name']} condition met\n")


def _condition(spec: str) -> tuple[Check, bool]:
    """Parse ``--for``: returns (predicate on the current object, is-delete)."""
    if spec == "delete":
        return (lambda obj: obj is None), True
    if spec.startswith("condition="):
        name, _, value = spec[len("condition=") :].partition("=")
        want = (value or "true").lower()
        return _has_condition(name, want), False
    if spec.startswith("jsonpath="):
        expr, sep, value = spec[len("jsonpath=") :].rpartition("=")
        if not sep:
            expr, value = value, ""
        if not expr:
            raise error("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3")
        template = expr if expr.startswith("{") else "{" + expr + "}"
        return (lambda obj: obj is not None and output.jsonpath(template, obj) == value), False
    raise error(f'unrecognized condition: "{spec}"')


def _has_condition(name: str, want: str) -> Check:
    def check(obj: Obj | None) -> bool:
        if obj is None:
            return False
        for cond in (obj.get("status") or {}).get("conditions") or []:
            if str(cond.get("type", "")).lower() == name.lower():
                return str(cond.get("status", "")).lower() == want
        return False

    return check


COMMAND = Command("wait", FLAGS, run)
