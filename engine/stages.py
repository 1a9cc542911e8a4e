"""The kubelet as a kwok-style stage table: predicate on the pod's runtime → when → next state.

Each :class:`Stage` names a step of a pod's life: ``stop`` (graceful termination), ``redefine``
(a container's image changed), ``crash``, the per-container start-up steps ``pull-begin`` /
``pull-end`` / ``pull-backoff`` / ``start`` (containers start one after another, and one that
is backing off holds up no other), ``ready`` and ``probe-fail``. The table's functions return
the stages that apply to the runtime record; :func:`select` picks one (``stop`` preempts
everything, else the first one due now, else the one due soonest). The kubelet enters it once
(``enter``: the ``Killing`` events), waits until ``due`` and ``fire``s it, then selects again.
Delays count from when a stage first applied (its *anchor*); a stage that stops applying loses
its anchor, so a newer state cancels a pending one — a pod deleted while starting goes straight
to ``stop`` and never "becomes Ready" later.

Timings come from ``cluster.timings`` (k8s-semantics.md §8.7). Event reasons and messages are the
real kubelet's (``pkg/kubelet/images/image_manager.go``, ``kuberuntime_container.go``,
``kuberuntime_manager.go`` ``doBackOff``, ``prober/worker.go``).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.config import Timings
from engine.objects import Obj
from engine.pod_runtime import (
    ContainerRun,
    PodRun,
    ProbeSpec,
    go_duration,
    probe_failure_message,
    probe_spec,
    pull_policy,
)
from engine.stage_types import Action, Stage, StageContext, grace_period, since, spec_container
from engine.startup_stages import startup_stage


def pod_probe(pod: Obj, timings: Timings) -> ProbeSpec:
    """The probe that drives the pod's readiness fault: the first real readinessProbe, else a
    virtual one with the API defaults."""
    containers = (pod.get("spec") or {}).get("containers") or []
    for c in containers:
        if c.get("readinessProbe"):
            return probe_spec(c, timings.ready_after)
    return probe_spec(containers[0] if containers else {}, timings.ready_after)


#: container spec id → (the spec, ready_after, its ProbeSpec): specs are stored, read-only
#: values and are held here, so an id is not reused while cached
_PROBES: dict[int, tuple[dict[str, object], float, ProbeSpec]] = {}


def _probe_of(container: dict[str, object], ready_after: float) -> ProbeSpec:
    """:func:`probe_spec` of a stored container spec, worked out once per spec."""
    cached = _PROBES.get(id(container))
    if cached is not None and cached[0] is container and cached[1] == ready_after:
        return cached[2]
    if len(_PROBES) >= 4096:
        _PROBES.clear()
    spec = probe_spec(container, ready_after)
    _PROBES[id(container)] = (container, ready_after, spec)
    return spec


# -- stop ------------------------------------------------------------------------------------
def _stop_enter(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    # regular containers first, then sidecars in reverse order (KEP-753 termination order)
    for c in [*run.containers, *reversed(run.init_containers)]:
        c.final = True
        if c.state == "running":
            ctx.event("Normal", "Killing", f"Stopping container {c.name}")


def _stop_fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    now = ctx.now()
    killed = ctx.timings.container_stop > grace_period(pod)
    for c in run.all_containers:
        c.ready = False
        if c.state == "running":
            c.state, c.finished_at = "terminated", now
            c.exit_code, c.reason = (137, "Error") if killed else (0, "Completed")
    ok = all(c.state == "terminated" and c.exit_code == 0 for c in run.containers)
    run.final_phase = "Succeeded" if ok else "Failed"
    run.sandbox_ready = False  # the sandbox goes with the containers
    run.done = True


def _stop_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    if not pod["metadata"].get("deletionTimestamp"):
        return None
    running = any(c.state == "running" for c in run.all_containers)
    delay = min(ctx.timings.container_stop, grace_period(pod)) if running else 0.0
    return Stage("stop", "", since(run, "stop:", ctx) + delay, _stop_fire, _stop_enter)


# -- crash -----------------------------------------------------------------------------------
def _crash(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        now = ctx.now()
        c.crash_requested = False
        c.state, c.reason, c.exit_code, c.finished_at = "terminated", "Error", 1, now
        c.ready = False
        policy = str((pod.get("spec") or {}).get("restartPolicy", "Always"))
        if policy == "Never":
            c.final = True
            return
        _decide_restart(run, pod, c, ctx)

    return fire


def _decide_restart(run: PodRun, pod: Obj, c: ContainerRun, ctx: StageContext) -> None:
    """``doBackOff`` with flowcontrol.Backoff semantics: the first exit restarts at once; an exit
    within the back-off window waits (10 s, doubling, capped), showing CrashLoopBackOff."""
    t = ctx.timings
    finished = c.finished_at or ctx.now()
    expired = c.backoff_update is None or finished - c.backoff_update > 2 * t.crash_backoff_cap
    if expired or c.backoff <= 0:
        c.backoff, c.backoff_update, c.retry_at = t.crash_backoff_base, finished, finished
        return
    wait = c.backoff
    c.backoff = min(2 * c.backoff, t.crash_backoff_cap)
    c.backoff_update = finished
    c.retry_at = finished + wait
    c.last_terminated = ctx.terminated(c)
    pod_ref = f"{run.name}_{run.namespace}({run.uid})"
    c.state, c.reason = "waiting", "CrashLoopBackOff"
    c.message = f"back-off {go_duration(wait)} restarting failed container={c.name} pod={pod_ref}"
    ctx.event(
        "Warning", "BackOff", f"Back-off restarting failed container {c.name} in pod {pod_ref}"
    )


def _crash_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    for c in run.containers:
        if c.crash_requested and c.state == "running":
            due = since(run, f"crash:{c.name}", ctx) + ctx.timings.crash_detect
            return Stage("crash", c.name, due, _crash(c))
    return None


# -- spec changes ----------------------------------------------------------------------------
def _redefine(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        spec = spec_container(pod, c.name)
        c.image, c.policy = str(spec.get("image", "")), pull_policy(spec)
        c.created, c.pull_started, c.pull_failures, c.retry_at = False, None, 0, ctx.now()
        if c.state == "running":
            message = f"Container {c.name} definition changed, will be restarted"
            ctx.event("Normal", "Killing", message)
            c.state, c.reason, c.exit_code, c.finished_at = "terminated", "Completed", 0, ctx.now()
            c.ready = False
        elif c.state == "waiting":
            c.reason, c.message = "ContainerCreating", ""

    return fire


def _redefine_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    """A container whose image changed in the spec is killed and started again (the kubelet
    compares container hashes)."""
    for c in run.containers:
        image = spec_container(pod, c.name).get("image")
        if image is not None and str(image) != c.image and not c.final:
            return Stage("redefine", c.name, ctx.now(), _redefine(c))
    return None


# -- readiness -------------------------------------------------------------------------------
def _ready(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c.ready = True

    return fire


def _ready_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    if run.probe.fault:
        return None
    for c in run.containers:
        if c.state != "running" or c.ready:
            continue
        spec = _probe_of(spec_container(pod, c.name), ctx.timings.ready_after)
        due = (c.started_at or 0.0) + spec.initial_delay
        cleared = run.probe.cleared_at
        if cleared is not None and cleared > (c.started_at or 0.0):
            pod_spec = pod_probe(pod, ctx.timings)
            due = max(due, cleared + pod_spec.success_threshold * pod_spec.period)
        return Stage("ready", c.name, due, _ready(c))
    return None


def _probe_enter(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    spec = pod_probe(pod, ctx.timings)
    if run.probe.fault_since + (run.probe.ticks + 1) * spec.period < ctx.now():
        run.probe.fault_since, run.probe.ticks = ctx.now(), 0  # probes were not running


def _probe_fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    spec = pod_probe(pod, ctx.timings)
    run.probe.ticks += 1
    ctx.event("Warning", "Unhealthy", probe_failure_message(spec, run.ip))
    if run.probe.ticks >= spec.failure_threshold:
        for c in run.containers:
            c.ready = False


def _probe_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    if not run.probe.fault or not any(c.state == "running" for c in run.containers):
        return None
    spec = pod_probe(pod, ctx.timings)
    due = run.probe.fault_since + (run.probe.ticks + 1) * spec.period
    return Stage("probe-fail", "", due, _probe_fire, _probe_enter)


#: The table, in priority order (kwok's stage list).
STAGES: tuple[Callable[[PodRun, Obj, StageContext], Stage | None], ...] = (
    _stop_stage,
    _redefine_stage,
    _crash_stage,
    startup_stage,
    _ready_stage,
    _probe_stage,
)


def select(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    """The stage to run next (None: nothing to do until the pod changes).

    ``stop`` preempts everything. Otherwise the first stage in table order that is due now
    wins, else the one due soonest — so a container backing off never holds up another's
    readiness. Anchors of stages that no longer apply are dropped (a newer state cancels a
    pending stage).
    """
    if run.done:
        return None
    candidates = []
    for f in STAGES:
        s = f(run, pod, ctx)
        if s is not None:
            if s.name == "stop":
                # stop preempts everything: the other stages would only set anchors that
                # are dropped below, so they are not asked
                candidates = [s]
                break
            candidates.append(s)
    live = {s.ident for s in candidates}
    anchors = run.anchors
    if len(anchors) > len(live) or any(i not in live for i in anchors):
        for ident in [i for i in anchors if i not in live]:
            del anchors[ident]
    if run.entered and not run.entered <= live:
        run.entered &= live
    if not candidates:
        return None
    limit = ctx.now() + 1e-9
    for s in candidates:
        if s.due <= limit:
            return s
    return min(candidates, key=lambda s: s.due)


def fired(run: PodRun, stage: Stage) -> None:
    """Forget a stage's anchor once it has fired, so it can apply afresh later."""
    run.anchors.pop(stage.ident, None)
    run.entered.discard(stage.ident)


def observe_fault(run: PodRun, fault: bool, now: float) -> None:
    """Take the readiness fault annotation into the prober state (restarting its tick grid)."""
    if fault == run.probe.fault:
        return
    run.probe.fault = fault
    run.probe.fault_since, run.probe.ticks = now, 0
    if not fault:
        run.probe.cleared_at = now


__all__ = ["STAGES", "Stage", "StageContext", "fired", "observe_fault", "select"]
