"""``kubectl rollout status|history|undo|restart`` for StatefulSets and Deployments
(pkg/polymorphichelpers: rollout_status.go, history.go, rollback.go).

``rollout status`` prints the status viewer's line for the first observation and again on
every later change of the object's status, running simulated time until the rollout is done
(or ``--timeout``), exactly as kubectl's watch loop prints one line per watch event.
"""

from __future__ import annotations

from typing import Any

from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, KubectlError, Parsed, error, help_error
from engine.kubectl.resources import parse_targets, qualified_singular
from engine.kubectl.tabwriter import align
from engine.kubectl.waiting import can_wait, timeout_seconds
from engine.objects import Obj, controller_ref, copy_obj, uid_of
from engine.store import WatchEvent

FLAGS = (
    Flag("timeout", "str", default="0s"),
    Flag("watch", "bool", "w", default=True),
    Flag("revision", "int", default=0),
    Flag("to-revision", "int", default=0),
    Flag("selector", "str", "l", ""),
    Flag("filename", "strs", "f"),
)
_KINDS = ("StatefulSet", "Deployment")
_SUBCOMMANDS = ("history", "pause", "restart", "resume", "status", "undo")


def run(env: Env, p: Parsed) -> None:
    """Entry point: dispatch on the sub-command."""
    if not p.args:
        raise KubectlError(
            "error: a sub-command is required: kubectl rollout "
            "history|restart|status|undo TYPE/NAME\n"
        )
    sub, rest = p.args[0], p.args[1:]
    if sub not in _SUBCOMMANDS:
        raise help_error("rollout", f'unknown command "{sub}"')
    if not rest:
        raise error("required resource not specified")
    targets = parse_targets(rest)
    objs = [env.must_get(t.kind, n) for t in targets for n in t.names]
    if not objs:
        raise error("required resource not specified")
    for obj in objs:
        if obj["kind"] not in _KINDS:
            raise error(f"no {sub} viewer has been implemented for {obj['kind']}")
        if sub in ("pause", "resume"):
            _pause(env, obj, sub == "pause")
        else:
            {"status": _status, "history": _history, "undo": _undo, "restart": _restart}[sub](
                env, p, obj
            )


def _ref(obj: Obj) -> str:
    return f"{qualified_singular(obj['kind'])}/{obj['metadata']['name']}"


# -- status -------------------------------------------------------------------------------
def sts_status(sts: Obj) -> tuple[str, bool]:
    """StatefulSetStatusViewer.Status."""
    spec: dict[str, Any] = sts.get("spec") or {}
    status: dict[str, Any] = sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise error("rollout status is only available for RollingUpdate strategy type")
    observed = status.get("observedGeneration", 0)
    if observed == 0 or sts["metadata"].get("generation", 1) > observed:
        return "Waiting for statefulset spec update to be observed...\n", False
    replicas = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas", 0))
    if ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready...\n", False
    rolling = strategy.get("rollingUpdate")
    updated = int(status.get("updatedReplicas", 0))
    if rolling is not None:
        partition = rolling.get("partition")
        if partition is not None and updated < replicas - int(partition):
            return (
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {replicas - int(partition)} new pods have been updated...\n",
                False,
            )
        return f"partitioned roll out complete: {updated} new pods have been updated...\n", True
    if status.get("updateRevision") != status.get("currentRevision"):
        return (
            f"waiting for statefulset rolling update to complete {updated} pods at revision "
            f"{status.get('updateRevision')}...\n",
            False,
        )
    return (
        f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at "
        f"revision {status.get('currentRevision')}...\n",
        True,
    )


def deployment_status(dep: Obj) -> tuple[str, bool]:
    """DeploymentStatusViewer.Status."""
    name = dep["metadata"]["name"]
    spec: dict[str, Any] = dep.get("spec") or {}
    status: dict[str, Any] = dep.get("status") or {}
    if dep["metadata"].get("generation", 1) > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed...\n", False
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            raise error(f'deployment "{name}" exceeded its progress deadline')
    replicas = int(spec.get("replicas", 1))
    updated = int(status.get("updatedReplicas", 0))
    total = int(status.get("replicas", 0))
    available = int(status.get("availableReplicas", 0))
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < replicas:
        return f"{prefix}{updated} out of {replicas} new replicas have been updated...\n", False
    if total > updated:
        return f"{prefix}{total - updated} old replicas are pending termination...\n", False
    if available < updated:
        return f"{prefix}{available} of {updated} updated replicas are available...\n", False
    return f'deployment "{name}" successfully rolled out\n', True


def _viewer(obj: Obj) -> tuple[str, bool]:
    return sts_status(obj) if obj["kind"] == "StatefulSet" else deployment_status(obj)


def _status(env: Env, p: Parsed, obj: Obj) -> None:
    store = env.cluster.store
    key = (obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])
    line, done = _viewer(store.must_get(*key))
    env.out(line)
    if done or not p.flag("watch") or not can_wait(env):
        return
    state = {"done": False, "error": None}

    def on_event(ev: WatchEvent) -> None:
        if state["done"] or ev.kind != key[0] or ev.key != key[1:] or ev.type == "DELETED":
            return
        try:
            text, finished = _viewer(ev.obj)
        except KubectlError as exc:
            state["error"], state["done"] = exc, True  # type: ignore[assignment]
            return
        env.out(text)
        state["done"] = finished

    store.subscribe(on_event, [key[0]])
    try:
        timeout = timeout_seconds(p.text("timeout"), 3600.0)
        finished = env.cluster.run_until(lambda: bool(state["done"]), timeout=timeout)
    finally:
        store.unsubscribe(on_event)
    if isinstance(state["error"], KubectlError):
        raise state["error"]
    if not finished:
        raise error("timed out waiting for the condition")


# -- history / undo -----------------------------------------------------------------------------
def revisions(env: Env, obj: Obj) -> dict[int, Obj]:
    """Revision number -> ControllerRevision (StatefulSet) or ReplicaSet (Deployment)."""
    ns = obj["metadata"]["namespace"]
    result: dict[int, Obj] = {}
    if obj["kind"] == "StatefulSet":
        for cr in env.cluster.store.list("ControllerRevision", ns):
            if (controller_ref(cr) or {}).get("uid") == uid_of(obj):
                result[int(cr.get("revision", 0))] = cr
        return result
    for rs in env.cluster.store.list("ReplicaSet", ns):
        if (controller_ref(rs) or {}).get("uid") == uid_of(obj):
            ann = rs["metadata"].get("annotations") or {}
            rev = ann.get("deployment.kubernetes.io/revision")
            if rev and rev.isdigit():
                result[int(rev)] = rs
    return result


def _template_of(owner_kind: str, rev: Obj) -> dict[str, Any] | None:
    if owner_kind == "Deployment":
        template = copy_obj((rev.get("spec") or {}).get("template") or {})
        labels = (template.get("metadata") or {}).get("labels") or {}
        labels.pop("pod-template-hash", None)
        return template
    data = rev.get("data") or {}
    template = (data.get("spec") or {}).get("template")
    if isinstance(template, dict):
        clean = copy_obj(template)
        clean.pop("$patch", None)
        return clean
    return None


def _history(env: Env, p: Parsed, obj: Obj) -> None:
    revs = revisions(env, obj)
    wanted = int(p.flags["revision"])
    if wanted:
        if wanted not in revs:
            raise error("unable to find the specified revision")
        env.out(f"{_ref(obj)} with revision #{wanted}\n")
        template = _template_of(obj["kind"], revs[wanted]) or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        env.out(
            "Pod Template:\n  Labels:\t"
            + ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
            + "\n"
        )
        return
    rows = "REVISION\tCHANGE-CAUSE\n" + "".join(
        f"{n}\t{_change_cause(revs[n])}\n" for n in sorted(revs)
    )
    env.out(f"{_ref(obj)} \n" + align(rows, minwidth=0, padding=2) + "\n")


def _change_cause(rev: Obj) -> str:
    annotations = rev["metadata"].get("annotations") or {}
    return str(annotations.get("kubernetes.io/change-cause") or "<none>")


def _undo(env: Env, p: Parsed, obj: Obj) -> None:
    revs = revisions(env, obj)
    target = int(p.flags["to-revision"])
    if not revs:
        raise error(
            f'no rollout history found for {obj["kind"].lower()} "{obj["metadata"]["name"]}"'
        )
    if target == 0:
        older = sorted(revs)[:-1]
        if not older:
            raise error("no revision found to roll back to")
        target = older[-1]
    if target not in revs:
        raise error(f"unable to find specified revision {target} in history")
    template = _template_of(obj["kind"], revs[target])
    if template is None:
        raise error(f"unable to read revision {target} of {_ref(obj)}")
    current = (obj.get("spec") or {}).get("template")
    if template == current:
        env.out(
            f"{_ref(obj)} skipped rollback (current template already matches revision {target})\n"
        )
        return
    new = copy_obj(obj)
    new["spec"]["template"] = template
    env.cluster.store.update(new)
    env.out(f"{_ref(obj)} rolled back\n")


def _restart(env: Env, p: Parsed, obj: Obj) -> None:
    new = copy_obj(obj)
    template = new["spec"].setdefault("template", {})
    md = template.setdefault("metadata", {})
    md.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = (
        env.cluster.clock.timestamp()
    )
    env.cluster.store.update(new)
    env.out(f"{_ref(obj)} restarted\n")


def _pause(env: Env, obj: Obj, pause: bool) -> None:
    verb = "paused" if pause else "resumed"
    if obj["kind"] != "Deployment":
        action = "pausing" if pause else "resuming"
        raise error(f'statefulsets.apps "{obj["metadata"]["name"]}" {action} is not supported')
    if bool((obj.get("spec") or {}).get("paused")) == pause:
        raise error(f"{_ref(obj)} is already {verb}")
    new = copy_obj(obj)
    new["spec"]["paused"] = pause
    env.cluster.store.update(new)
    env.out(f"{_ref(obj)} {verb}\n")


COMMAND = Command("rollout", FLAGS, run)
