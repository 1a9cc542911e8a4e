"""Checks on objects: pods, workloads, claims, any field, conditions and events.

Each probe takes the :class:`~engine.exercises.context.Context` and the check's validated
fields and returns an :class:`~engine.exercises.context.Outcome` whose reason describes what
the cluster shows, in kubectl's words where there are any (``0/1 ImagePullBackOff``).
"""

from __future__ import annotations

from typing import Any

from engine.exercises.context import Context, Outcome, failed, passed, ref, show
from engine.format import pod_ready_column, pod_status_column
from engine.objects import Obj, get_path, is_namespaced, is_pod_ready, is_terminating, uid_of


def _pod(ctx: Context, fields: dict[str, Any]) -> tuple[str, Obj | None]:
    name = str(fields["pod"])
    return name, ctx.get("Pod", ctx.ns(fields), name)


def _pod_state(pod: Obj) -> str:
    return f"{pod_ready_column(pod)} {pod_status_column(pod)}"


def pod_exists(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The pod exists (possibly still starting or terminating)."""
    name, pod = _pod(ctx, fields)
    if pod is None:
        return failed(f"pod {name} does not exist")
    return passed(f"pod {name} exists ({_pod_state(pod)})")


def pod_absent(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """No pod of that name exists (a Terminating one still counts as existing)."""
    name, pod = _pod(ctx, fields)
    if pod is None:
        return passed(f"pod {name} does not exist")
    return failed(f"pod {name} still exists ({_pod_state(pod)})")


def pod_ready(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The pod is Ready (or, with ``ready: false``, exists and is not Ready)."""
    name, pod = _pod(ctx, fields)
    want = bool(fields.get("ready", True))
    if pod is None:
        return failed(f"pod {name} does not exist")
    ready = is_pod_ready(pod) and not is_terminating(pod)
    state = f"pod {name} is {'' if ready else 'not '}Ready ({_pod_state(pod)})"
    return passed(state) if ready == want else failed(state)


def pod_restarted(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The pod's containers restarted at least ``atLeast`` times in all."""
    name, pod = _pod(ctx, fields)
    want = int(fields.get("atLeast", 1))
    if pod is None:
        return failed(f"pod {name} does not exist")
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    count = sum(int(s.get("restartCount", 0)) for s in statuses)
    text = f"pod {name} has restarted {count} time{'' if count == 1 else 's'}"
    return passed(text) if count >= want else failed(f"{text}, want at least {want}")


def pod_replaced(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """A pod of that name exists and is not the one of the starting state (new UID)."""
    name, pod = _pod(ctx, fields)
    if pod is None:
        return failed(f"pod {name} does not exist")
    original = ctx.baseline.get(("Pod", ctx.ns(fields), name))
    if original is not None and original == uid_of(pod):
        return failed(f"pod {name} is still the original pod (uid {original[:8]}…)")
    return passed(f"pod {name} is a new pod (uid {uid_of(pod)[:8]}…)")


def exists(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The object exists (or, with ``exists: false``, does not)."""
    kind, name, obj = _object(ctx, fields)
    want = bool(fields.get("exists", True))
    if obj is None:
        text = f"{ref(kind, name)} does not exist"
    else:
        terminating = " (being deleted)" if is_terminating(obj) else ""
        text = f"{ref(kind, name)} exists{terminating}"
    return passed(text) if (obj is not None) == want else failed(text)


def replaced(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The object exists and is not the one of the starting state (a new UID)."""
    kind, name, obj = _object(ctx, fields)
    if obj is None:
        return failed(f"{ref(kind, name)} does not exist")
    ns = ctx.ns(fields) if is_namespaced(kind) else ""
    original = ctx.baseline.get((kind, ns, name))
    if original is not None and original == uid_of(obj):
        return failed(f"{ref(kind, name)} is still the original one (uid {original[:8]}…)")
    return passed(f"{ref(kind, name)} is a new one (uid {uid_of(obj)[:8]}…)")


def ready_replicas(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The workload is set to ``replicas`` and that many of its pods are ready."""
    kind, name, want = (
        str(fields.get("kind", "StatefulSet")),
        str(fields["name"]),
        fields["replicas"],
    )
    obj = ctx.get(kind, ctx.ns(fields), name)
    if obj is None:
        return failed(f"{ref(kind, name)} does not exist")
    spec = int((obj.get("spec") or {}).get("replicas", 1))
    ready = int((obj.get("status") or {}).get("readyReplicas", 0) or 0)
    if spec != want:
        return failed(f"{ref(kind, name)} is set to {spec} replicas, want {want}")
    text = f"{ref(kind, name)} has {ready} ready replica{'' if ready == 1 else 's'}"
    return passed(text) if ready == want else failed(f"{text}, want {want}")


def pvc_bound(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The claim is Bound (and, with ``usedBy``, mounted by that pod)."""
    name, ns = str(fields["claim"]), ctx.ns(fields)
    claim = ctx.get("PersistentVolumeClaim", ns, name)
    if claim is None:
        return failed(f"persistentvolumeclaim {name} does not exist")
    phase = (claim.get("status") or {}).get("phase", "Pending")
    if phase != "Bound":
        return failed(f"persistentvolumeclaim {name} is {phase}, want Bound")
    user = fields.get("usedBy")
    if user is None:
        return passed(f"persistentvolumeclaim {name} is Bound")
    pod = ctx.get("Pod", ns, str(user))
    if pod is None:
        return failed(f"persistentvolumeclaim {name} is Bound but pod {user} does not exist")
    claims = [
        (v.get("persistentVolumeClaim") or {}).get("claimName")
        for v in (pod.get("spec") or {}).get("volumes") or []
    ]
    if name not in claims:
        return failed(f"pod {user} does not use persistentvolumeclaim {name}")
    return passed(f"persistentvolumeclaim {name} is Bound and used by pod {user}")


def _object(ctx: Context, fields: dict[str, Any]) -> tuple[str, str, Obj | None]:
    kind, name = str(fields["kind"]), str(fields["name"])
    ns = ctx.ns(fields) if is_namespaced(kind) else ""
    return kind, name, ctx.get(kind, ns, name)


def field_value(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """A dotted field path ``equals`` / ``notEquals`` a value, or is ``absent``."""
    kind, name, obj = _object(ctx, fields)
    if obj is None:
        return failed(f"{ref(kind, name)} does not exist")
    path = str(fields["path"])
    missing = object()
    value = get_path(obj, path, missing)
    seen = "unset" if value is missing else show(value)
    text = f"{ref(kind, name)}: {path} is {seen}"
    if "equals" in fields:
        ok = value is not missing and value == fields["equals"]
        return passed(text) if ok else failed(f"{text}, want {show(fields['equals'])}")
    if "notEquals" in fields:
        ok = value != fields["notEquals"]
        return passed(text) if ok else failed(f"{text}, want anything else")
    ok = (value is missing) == bool(fields["absent"])
    return passed(text) if ok else failed(f"{text}, want {'unset' if fields['absent'] else 'set'}")


def condition(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """``status.conditions[type=condition].status`` equals ``status`` (default ``"True"``)."""
    kind, name, obj = _object(ctx, fields)
    if obj is None:
        return failed(f"{ref(kind, name)} does not exist")
    ctype, want = str(fields["condition"]), str(fields.get("status", "True"))
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            got = str(cond.get("status"))
            text = f"{ref(kind, name)}: condition {ctype} is {got}"
            return passed(text) if got == want else failed(f"{text}, want {want}")
    return failed(f"{ref(kind, name)} has no condition {ctype}, want {want}")


def event(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """An Event about the named object with that ``reason`` (and ``message`` substring)."""
    kind, name = str(fields["kind"]), str(fields["name"])
    reason, message = str(fields["reason"]), fields.get("message")
    etype = fields.get("eventType")
    ns = ctx.ns(fields) if is_namespaced(kind) else "default"
    for ev in ctx.cluster.store.list("Event", ns):
        involved = ev.get("involvedObject") or {}
        if involved.get("kind") != kind or involved.get("name") != name:
            continue
        if ev.get("reason") != reason or (etype and ev.get("type") != etype):
            continue
        if message is None or str(message) in str(ev.get("message", "")):
            return passed(f"{ref(kind, name)}: event {reason}: {ev.get('message', '')}")
    wanted = f"{reason}" + (f" {show(str(message))}" if message is not None else "")
    return failed(f"no {etype + ' ' if etype else ''}event {wanted} on {ref(kind, name)}")
