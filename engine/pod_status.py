"""Render a pod's ``status`` from the kubelet's runtime record (``generateAPIPodStatus``).

Conditions come in the order the kubelet writes them (PodReadyToStartContainers, Initialized,
Ready, ContainersReady, PodScheduled); a condition keeps its ``lastTransitionTime`` while its
status is unchanged. Conditions other controllers own (``PodScheduled`` from the scheduler,
``DisruptionTarget`` from the taint-eviction controller) are carried over untouched.

Most kubelet syncs change nothing: the kubelet is woken by its own writes and by other
controllers' writes to the pod. :class:`LastStatus` remembers what was last rendered for a run
and the status object the store kept for it, so that :func:`is_current` can tell without
rendering that a render would give the stored status again, and :func:`reuse_stored` can hand
the store the stored version's own sub-objects for every part a new render left equal (the
store then copies and interns only what changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.clock import Clock
from engine.objects import Obj
from engine.pod_runtime import ContainerRun, PodRun, digest_of, normalize_image

_KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")

# Pod generation tracking is GA in 1.35: the status and every condition carry the
# ``observedGeneration`` (metadata.generation) they were computed for.


def render_status(pod: Obj, run: PodRun, host_ip: str, clock: Clock) -> dict[str, Any]:
    """The status the kubelet would post for ``pod`` now."""
    old: dict[str, Any] = pod.get("status") or {}
    restart_policy = str((pod.get("spec") or {}).get("restartPolicy", "Always"))
    phase = run.phase(restart_policy)
    generation = int(pod["metadata"].get("generation", 1) or 1)
    status: dict[str, Any] = {"observedGeneration": generation, "phase": phase}
    status["conditions"] = _conditions(old, run, phase, generation, clock)
    if host_ip:
        status["hostIP"] = host_ip
        status["hostIPs"] = [{"ip": host_ip}]
    if run.ip:
        status["podIP"] = run.ip
        status["podIPs"] = [{"ip": run.ip}]
    status["startTime"] = clock.timestamp(run.start_time)
    spec = pod.get("spec") or {}
    specs = {
        c.get("name"): c
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    }
    if run.init_containers:
        status["initContainerStatuses"] = [
            _container_status(run, c, specs.get(c.name) or {}, clock) for c in run.init_containers
        ]
    status["containerStatuses"] = [
        _container_status(run, c, specs.get(c.name) or {}, clock) for c in run.containers
    ]
    if run.init_containers:  # the kubelet's default waiting reason for such pods
        for cs in [*status["initContainerStatuses"], *status["containerStatuses"]]:
            if cs["state"].get("waiting", {}).get("reason") == "ContainerCreating":
                cs["state"] = {"waiting": {"reason": "PodInitializing"}}
    for key in ("qosClass", "reason", "message", "nominatedNodeName"):
        if key in old:
            status[key] = old[key]
    return status


def _conditions(
    old: dict[str, Any], run: PodRun, phase: str, generation: int, clock: Clock
) -> list[dict[str, Any]]:
    previous = {c.get("type"): c for c in old.get("conditions") or []}
    unready = [c.name for c in run.containers if not c.ready]
    ready = not unready and phase == "Running"
    reason, message = "", ""
    if not ready:
        if phase in ("Succeeded", "Failed"):
            reason = "PodCompleted"
        else:
            reason = "ContainersNotReady"
            message = f"containers with unready status: [{' '.join(unready)}]"
    incomplete = [
        c.name
        for c in run.init_containers
        if not ((c.state == "running") if c.sidecar else c.completed)
    ]
    init_reason = "ContainersNotInitialized" if incomplete else ""
    init_message = f"containers with incomplete status: [{' '.join(incomplete)}]"
    wanted = {
        "PodReadyToStartContainers": (run.sandbox_ready, "", ""),
        "Initialized": (not incomplete, init_reason, init_message if incomplete else ""),
        "Ready": (ready, reason, message),
        "ContainersReady": (ready, reason, message),
    }
    out: list[dict[str, Any]] = []
    for ctype in _KUBELET_CONDITIONS:
        flag, why, text = wanted[ctype]
        out.append(_condition(previous.get(ctype), ctype, flag, why, text, generation, clock))
    scheduled = previous.get("PodScheduled") or {
        "type": "PodScheduled",
        "observedGeneration": generation,
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": clock.timestamp(run.start_time),
    }
    out.append(scheduled)
    out += [c for t, c in previous.items() if t not in _KUBELET_CONDITIONS and t != "PodScheduled"]
    return out


def _condition(
    prev: dict[str, Any] | None,
    ctype: str,
    flag: bool,
    reason: str,
    message: str,
    generation: int,
    clock: Clock,
) -> dict[str, Any]:
    status = "True" if flag else "False"
    if prev is not None and prev.get("status") == status:
        since = prev.get("lastTransitionTime") or clock.timestamp()
    else:
        since = clock.timestamp()
    cond: dict[str, Any] = {
        "observedGeneration": generation,
        "type": ctype,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": since,
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def terminated_state(run: PodRun, c: ContainerRun, clock: Clock) -> dict[str, Any]:
    """The ``terminated`` state of a container's last run."""
    return {
        "terminated": {
            "exitCode": c.exit_code,
            "reason": c.reason,
            "startedAt": clock.timestamp(c.started_at or run.start_time),
            "finishedAt": clock.timestamp(c.finished_at or clock.now()),
            "containerID": container_id(run, c, c.restart_count),
        }
    }


def container_id(run: PodRun, c: ContainerRun, attempt: int) -> str:
    """``containerd://<64 hex>`` of the container's ``attempt``-th run."""
    return "containerd://" + digest_of(f"{run.uid}/{c.name}/{attempt}")


def _container_status(
    run: PodRun, c: ContainerRun, spec: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    image = normalize_image(c.image)
    out: dict[str, Any] = {"name": c.name, "image": image}
    if c.has_run:
        repo = image.split("@", 1)[0].rsplit(":", 1)[0] if "/" in image else image
        out["imageID"] = f"{repo}@sha256:{digest_of(image)}"
        out["containerID"] = container_id(run, c, c.restart_count)
    else:
        out["imageID"] = ""
    if c.state == "running":
        state: dict[str, Any] = {"running": {"startedAt": clock.timestamp(c.started_at or 0.0)}}
    elif c.state == "terminated":
        state = terminated_state(run, c, clock)
    else:
        waiting: dict[str, Any] = {"reason": c.reason}
        if c.message:
            waiting["message"] = c.message
        state = {"waiting": waiting}
    out["state"] = state
    out["lastState"] = c.last_terminated or {}
    out["ready"] = c.ready
    out["restartCount"] = c.restart_count
    out["started"] = c.state == "running"
    if c.has_run and spec.get("volumeMounts"):
        out["volumeMounts"] = [_mount_status(m) for m in spec["volumeMounts"]]
    return out


def _mount_status(mount: dict[str, Any]) -> dict[str, Any]:
    """A ``VolumeMountStatus`` (name, mountPath, and for read-only mounts recursiveReadOnly)."""
    out: dict[str, Any] = {"mountPath": mount.get("mountPath", ""), "name": mount.get("name", "")}
    if mount.get("readOnly"):
        out["readOnly"] = True
        out["recursiveReadOnly"] = "Disabled"
    return out


@dataclass(slots=True)
class LastStatus:
    """A run's last rendered status and the status object the store holds for it.

    ``stored`` is the store's copy of ``rendered`` (equal, with the same value types: the
    store copies and interns strictly), or the stored status a render found equal to it.
    """

    stored: dict[str, Any]
    rendered: dict[str, Any]
    spec: Any
    generation: Any
    host_ip: str
    version: int


def is_current(last: LastStatus | None, pod: Obj, run: PodRun, host_ip: str) -> bool:
    """Whether rendering ``pod``'s status now would give its stored status again: the stored
    status is the one last rendered for ``run``, and nothing a render reads changed since —
    the run (no stage entered or fired), the spec, the generation, the node's address — and
    no container's state reads the clock (a terminated container without a finish time)."""
    if last is None or pod.get("status") is not last.stored or last.version != run.version:
        return False
    if pod.get("spec") is not last.spec or last.host_ip != host_ip:
        return False
    if pod["metadata"].get("generation") != last.generation:
        return False
    for c in (*run.init_containers, *run.containers):
        if c.state == "terminated" and not c.finished_at:
            return False
    return True


def remember(
    run: PodRun, pod: Obj, stored: dict[str, Any], rendered: dict[str, Any], host_ip: str
) -> None:
    """Record that the store holds ``stored`` for the freshly ``rendered`` status."""
    generation = pod["metadata"].get("generation")
    run.last_status = LastStatus(
        stored, rendered, pod.get("spec"), generation, host_ip, run.version
    )


def reuse_stored(new: Any, last: Any, stored: Any) -> Any:
    """``new`` (a fresh render) with every part equal to the matching part of ``last`` (the
    previous render) replaced by ``stored``'s (the store's copy of ``last``). Containers of
    ``new`` are never edited: a changed one is a fresh shallow copy."""
    if new is stored:
        return stored
    if new == last:
        return stored
    kind = type(new)
    if kind is dict and type(last) is dict and type(stored) is dict:
        out: Any = None
        for key, value in new.items():
            tv = type(value)
            if (tv is dict or tv is list) and key in last and key in stored:
                shared = reuse_stored(value, last[key], stored[key])
                if shared is not value:
                    if out is None:
                        out = dict(new)
                    out[key] = shared
        return new if out is None else out
    if kind is list and type(last) is list and type(stored) is list:
        if len(new) != len(last) or len(last) != len(stored):
            return new
        out = None
        for i, value in enumerate(new):
            tv = type(value)
            if tv is dict or tv is list:
                shared = reuse_stored(value, last[i], stored[i])
                if shared is not value:
                    if out is None:
                        out = list(new)
                    out[i] = shared
        return new if out is None else out
    return new
