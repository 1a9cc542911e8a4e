"""Small pure formatters shared by kubectl tables and the TUI panels."""

from __future__ import annotations

from engine.objects import Obj


def human_duration(seconds: float) -> str:
    """apimachinery ``duration.HumanDuration``: ``95s``, ``2m10s``, ``42m``, ``5h3m``, ``3d4h``.

    Negative or tiny durations print as ``0s`` (kubectl shows ``<invalid>`` only for
    timestamps more than a second in the future).
    """
    if seconds < -1:
        return "<invalid>"
    s = int(max(0, seconds))
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m{rem}s" if rem else f"{minutes}m"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rem_m = minutes % 60
        return f"{hours}h{rem_m}m" if rem_m else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rem_h = hours % 24
        return f"{hours // 24}d{rem_h}h" if rem_h else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        rem_d = days % 365
        return f"{days // 365}y{rem_d}d" if rem_d else f"{days // 365}y"
    return f"{hours // 24 // 365}y"


def pod_ready_column(pod: Obj) -> str:
    """READY: ``<ready containers>/<containers>`` (printPod)."""
    spec = pod.get("spec") or {}
    total = len(spec.get("containers") or [])
    total += sum(1 for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always")
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    sidecars = {c.get("name") for c in spec.get("initContainers") or [] if _restartable(c)}
    for cs in (pod.get("status") or {}).get("initContainerStatuses") or []:
        if cs.get("name") in sidecars and cs.get("started") and cs.get("ready"):
            ready += 1
    return f"{ready}/{total}"


def _restartable(init_container: dict[str, object]) -> bool:
    return init_container.get("restartPolicy") == "Always"


def _init_reason(pod: Obj) -> str | None:
    """printPod's init-container pass: ``Init:1/2``, ``Init:ErrImagePull``, ``Init:Error``…
    (None when every init container is done)."""
    spec_inits = {c.get("name"): c for c in (pod.get("spec") or {}).get("initContainers") or []}
    statuses = (pod.get("status") or {}).get("initContainerStatuses") or []
    for i, cs in enumerate(statuses):
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated and terminated.get("exitCode", 0) == 0:
            continue
        if _restartable(spec_inits.get(cs.get("name")) or {}) and cs.get("started"):
            continue
        if terminated:
            if terminated.get("reason"):
                return f"Init:{terminated['reason']}"
            sig = terminated.get("signal")
            return f"Init:Signal:{sig}" if sig else f"Init:ExitCode:{terminated.get('exitCode')}"
        if waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return f"Init:{waiting['reason']}"
        return f"Init:{i}/{len(spec_inits)}"
    return None


def pod_status_column(pod: Obj) -> str:
    """STATUS as kubectl's printPod computes it (phase, container reasons, Terminating)."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Pending"
    init = _init_reason(pod)
    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    regular = status.get("containerStatuses") or []
    if init is not None and not initialized:
        reason, regular = init, []
    for cs in reversed(regular):
        state = cs.get("state") or {}
        waiting = state.get("waiting")
        terminated = state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            sig = terminated.get("signal")
            code = terminated.get("exitCode", 0)
            reason = f"Signal:{sig}" if sig else f"ExitCode:{code}"
    if pod["metadata"].get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            return "Unknown"
        if reason not in ("Completed", "Succeeded", "Failed"):
            return "Terminating"
    return str(reason)


def pod_restarts_column(pod: Obj, now_ts: str, age_of: float | None = None) -> str:
    """RESTARTS: ``0`` or ``3 (41s ago)``.

    ``now_ts`` is unused for the count; ``age_of`` is the seconds since the last container
    termination (the caller computes it from ``lastState.terminated.finishedAt``).
    """
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    restarts = sum(int(c.get("restartCount", 0)) for c in statuses)
    if restarts and age_of is not None:
        return f"{restarts} ({human_duration(age_of)} ago)"
    return str(restarts)


def last_termination(pod: Obj) -> str | None:
    """The latest ``lastState.terminated.finishedAt`` among the containers, if any."""
    latest: str | None = None
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if finished and (latest is None or finished > latest):
            latest = finished
    return latest
