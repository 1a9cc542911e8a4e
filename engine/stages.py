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
from dataclasses import dataclass
from typing import Protocol

from engine.config import Timings
from engine.objects import Obj
from engine.pod_runtime import (
    ContainerRun,
    PodRun,
    ProbeSpec,
    go_duration,
    image_missing_kind,
    image_size,
    probe_failure_message,
    probe_spec,
    pull_error,
    pull_policy,
)


class StageContext(Protocol):
    """What stages may do besides changing the runtime record."""

    timings: Timings

    def now(self) -> float:
        """Current simulated time."""
        ...

    def event(self, type_: str, reason: str, message: str) -> None:
        """Record an event about the pod (component ``kubelet``)."""
        ...

    def image_present(self, image: str) -> bool:
        """Whether the node already has ``image``."""
        ...

    def remember_image(self, image: str) -> None:
        """Note that the node now has ``image``."""
        ...

    def allocate_ip(self) -> str:
        """A pod IP from the node's pod CIDR."""
        ...

    def terminated(self, c: ContainerRun) -> dict[str, object]:
        """The rendered ``terminated`` state of a container (for lastState)."""
        ...


@dataclass(frozen=True)
class Stage:
    """One row of the table; ``index`` is the container it acts on (-1: the whole pod)."""

    name: str
    index: int
    due: float
    fire: Callable[[PodRun, Obj, StageContext], None]
    enter: Callable[[PodRun, Obj, StageContext], None] | None = None

    @property
    def ident(self) -> str:
        """Identity used to tell a new stage from the one already pending."""
        return f"{self.name}:{self.index}"


# -- helpers -------------------------------------------------------------------------------
def _spec_container(pod: Obj, index: int) -> dict[str, object]:
    containers = (pod.get("spec") or {}).get("containers") or []
    return containers[index] if index < len(containers) else {}


def pod_probe(pod: Obj, timings: Timings) -> ProbeSpec:
    """The probe that drives the pod's readiness fault: the first real readinessProbe, else a
    virtual one with the API defaults."""
    containers = (pod.get("spec") or {}).get("containers") or []
    for c in containers:
        if c.get("readinessProbe"):
            return probe_spec(c, timings.ready_after)
    return probe_spec(containers[0] if containers else {}, timings.ready_after)


def _since(run: PodRun, ident: str, ctx: StageContext) -> float:
    """When the stage ``ident`` first applied (now, the first time it is asked)."""
    return run.anchors.setdefault(ident, ctx.now())


def _grace(pod: Obj) -> float:
    md = pod["metadata"]
    grace = md.get("deletionGracePeriodSeconds")
    if grace is None:
        grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
    return float(grace)


# -- stop ------------------------------------------------------------------------------------
def _stop_enter(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    for c in run.containers:
        c.final = True
        if c.state == "running":
            ctx.event("Normal", "Killing", f"Stopping container {c.name}")


def _stop_fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
    now = ctx.now()
    killed = ctx.timings.container_stop > _grace(pod)
    for c in run.containers:
        c.ready = False
        if c.state == "running":
            c.state, c.finished_at = "terminated", now
            c.exit_code, c.reason = (137, "Error") if killed else (0, "Completed")
    ok = all(c.state == "terminated" and c.exit_code == 0 for c in run.containers)
    run.final_phase = "Succeeded" if ok else "Failed"
    run.done = True


def _stop_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    if not pod["metadata"].get("deletionTimestamp"):
        return None
    running = any(c.state == "running" for c in run.containers)
    delay = min(ctx.timings.container_stop, _grace(pod)) if running else 0.0
    return Stage("stop", -1, _since(run, "stop:-1", ctx) + delay, _stop_fire, _stop_enter)


# -- crash -----------------------------------------------------------------------------------
def _crash_fire_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
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
    for i, c in enumerate(run.containers):
        if c.crash_requested and c.state == "running":
            due = _since(run, f"crash:{i}", ctx) + ctx.timings.crash_detect
            return Stage("crash", i, due, _crash_fire_for(i))
    return None


# -- spec changes ----------------------------------------------------------------------------
def _redefine_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
        spec = _spec_container(pod, index)
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
    for i, c in enumerate(run.containers):
        image = _spec_container(pod, i).get("image")
        if image is not None and str(image) != c.image and not c.final:
            return Stage("redefine", i, ctx.now(), _redefine_for(i))
    return None


# -- image pulls -----------------------------------------------------------------------------
def _pull_duration(run: PodRun, c: ContainerRun, ctx: StageContext) -> float:
    if ctx.image_present(c.image):
        return min(ctx.timings.image_pull, 0.5)  # Always: a manifest check, layers cached
    return ctx.timings.image_pull


def _created(c: ContainerRun, ctx: StageContext) -> None:
    if c.state == "waiting" and c.reason in ("ErrImagePull", "ImagePullBackOff"):
        c.reason, c.message = "ContainerCreating", ""
    c.created = True
    ctx.event("Normal", "Created", f"Created container: {c.name}")


def _pull_begin_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
        if c.policy != "Always" and ctx.image_present(c.image):
            ctx.event("Normal", "Pulled", f'Container image "{c.image}" already present on machine')
            _created(c, ctx)
            return
        if c.policy == "Never":
            c.reason = "ErrImageNeverPull"
            c.message = f'Container image "{c.image}" is not present with pull policy of Never'
            c.final = True
            ctx.event("Warning", "ErrImageNeverPull", c.message)
            return
        ctx.event("Normal", "Pulling", f'Pulling image "{c.image}"')
        c.pull_started = ctx.now()

    return fire


def _pull_end_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
        took = ctx.now() - (c.pull_started if c.pull_started is not None else ctx.now())
        c.pull_started = None
        if image_missing_kind(c.image):
            _pull_failed(c, ctx)
            return
        ctx.remember_image(c.image)
        size = image_size(c.image)
        spent = go_duration(took)
        ctx.event(
            "Normal",
            "Pulled",
            f'Successfully pulled image "{c.image}" in {spent} ({spent} including waiting). '
            f"Image size: {size} bytes.",
        )
        _created(c, ctx)

    return fire


def _pull_failed(c: ContainerRun, ctx: StageContext) -> None:
    t = ctx.timings
    now = ctx.now()
    error = pull_error(c.image)
    c.pull_failures += 1
    c.pull_failed_at = now
    delay = min(t.image_pull_backoff * 2 ** (c.pull_failures - 1), t.crash_backoff_cap)
    c.retry_at = now + t.image_pull_backoff + delay
    c.state, c.reason, c.message = "waiting", "ErrImagePull", error
    ctx.event("Warning", "Failed", f'Failed to pull image "{c.image}": {error}')
    ctx.event("Warning", "Failed", "Error: ErrImagePull")


def _pull_backoff_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
        c.reason = "ImagePullBackOff"
        c.message = f'Back-off pulling image "{c.image}"'
        ctx.event("Normal", "BackOff", c.message)
        ctx.event("Warning", "Failed", "Error: ImagePullBackOff")

    return fire


def _container_step(i: int, c: ContainerRun, run: PodRun, ctx: StageContext) -> Stage | None:
    """The next start-up step of one container: pull, back off, or start."""
    if c.pull_started is not None:
        return Stage("pull-end", i, c.pull_started + _pull_duration(run, c, ctx), _pull_end_for(i))
    if c.state == "waiting" and c.reason == "ErrImagePull" and c.pull_failed_at is not None:
        due = c.pull_failed_at + ctx.timings.image_pull_backoff
        return Stage("pull-backoff", i, due, _pull_backoff_for(i))
    if c.created:
        due = _since(run, f"start:{i}", ctx) + ctx.timings.container_start
        return Stage("start", i, due, _start_fire_for(i))
    if c.needs_create and c.reason != "ErrImageNeverPull":
        return Stage("pull-begin", i, max(ctx.now(), c.retry_at), _pull_begin_for(i))
    return None


def _containers_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    """Containers start one after another (``SyncPod``); one that is backing off (image pull
    or CrashLoopBackOff) does not hold up the others."""
    deferred: Stage | None = None
    for i, c in enumerate(run.containers):
        step = _container_step(i, c, run, ctx)
        if step is None:
            continue
        backing_off = step.name == "pull-backoff" or (
            step.name == "pull-begin" and step.due > ctx.now()
        )
        if not backing_off:
            return step
        if deferred is None or step.due < deferred.due:
            deferred = step
    return deferred


# -- start -----------------------------------------------------------------------------------
def _start_fire_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c = run.containers[index]
        if not run.ip:
            run.ip = ctx.allocate_ip()
            if not run.ip:
                return  # no sandbox without an address: the start is retried
        run.sandbox_ready = True
        if c.has_run:
            if c.state == "terminated":
                c.last_terminated = ctx.terminated(c)
            c.restart_count += 1
        c.state, c.reason, c.message = "running", "", ""
        c.started_at, c.finished_at, c.exit_code = ctx.now(), None, 0
        c.has_run, c.created, c.ready = True, False, False
        ctx.event("Normal", "Started", f"Started container {c.name}")

    return fire


# -- readiness -------------------------------------------------------------------------------
def _ready_fire_for(index: int) -> Callable[[PodRun, Obj, StageContext], None]:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        run.containers[index].ready = True

    return fire


def _ready_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    if run.probe.fault:
        return None
    for i, c in enumerate(run.containers):
        if c.state != "running" or c.ready:
            continue
        spec = probe_spec(_spec_container(pod, i), ctx.timings.ready_after)
        due = (c.started_at or 0.0) + spec.initial_delay
        cleared = run.probe.cleared_at
        if cleared is not None and cleared > (c.started_at or 0.0):
            pod_spec = pod_probe(pod, ctx.timings)
            due = max(due, cleared + pod_spec.success_threshold * pod_spec.period)
        return Stage("ready", i, due, _ready_fire_for(i))
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
    return Stage("probe-fail", -1, due, _probe_fire, _probe_enter)


#: The table, in priority order (kwok's stage list).
STAGES: tuple[Callable[[PodRun, Obj, StageContext], Stage | None], ...] = (
    _stop_stage,
    _redefine_stage,
    _crash_stage,
    _containers_stage,
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
    candidates = [s for f in STAGES if (s := f(run, pod, ctx)) is not None]
    stop = next((s for s in candidates if s.name == "stop"), None)
    if stop is not None:
        candidates = [stop]
    live = {s.ident for s in candidates}
    for ident in [i for i in run.anchors if i not in live]:
        del run.anchors[ident]
    run.entered &= live
    if not candidates:
        return None
    due_now = [s for s in candidates if s.due <= ctx.now() + 1e-9]
    return due_now[0] if due_now else min(candidates, key=lambda s: s.due)


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
