"""Container start-up stages: image pulls, back-offs, container starts, init containers.

Per container the steps are ``pull-begin`` (``Pulling``, or ``already present`` for an image the
node has under ``IfNotPresent``), ``pull-end`` (``Pulled`` + ``Created``, or a failed pull:
``ErrImagePull``), ``pull-backoff`` (``ImagePullBackOff`` until the next attempt) and ``start``
(``Started``; the first start creates the sandbox and takes the pod IP).

Order follows ``SyncPod``: init containers run one at a time to completion (``complete``; a
restartable "sidecar" init container only has to be started), then the regular containers start
one after another — and a regular container that is backing off (image pull or
CrashLoopBackOff) holds up no other.
"""

from __future__ import annotations

from engine.objects import Obj
from engine.pod_runtime import (
    ContainerRun,
    PodRun,
    go_duration,
    image_missing_kind,
    image_size,
    pull_error,
)
from engine.stage_types import Action, Stage, StageContext, since


def _pull_duration(c: ContainerRun, ctx: StageContext) -> float:
    if ctx.image_present(c.image):
        return min(ctx.timings.image_pull, 0.5)  # Always: a manifest check, layers cached
    return ctx.timings.image_pull


def _created(c: ContainerRun, ctx: StageContext) -> None:
    if c.state == "waiting" and c.reason in ("ErrImagePull", "ImagePullBackOff"):
        c.reason, c.message = "ContainerCreating", ""
    c.created = True
    ctx.event("Normal", "Created", f"Created container: {c.name}")


def _pull_begin(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
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


def _pull_end(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        took = ctx.now() - (c.pull_started if c.pull_started is not None else ctx.now())
        c.pull_started = None
        if image_missing_kind(c.image):
            _pull_failed(c, ctx)
            return
        ctx.remember_image(c.image)
        spent = go_duration(took)
        ctx.event(
            "Normal",
            "Pulled",
            f'Successfully pulled image "{c.image}" in {spent} ({spent} including waiting). '
            f"Image size: {image_size(c.image)} bytes.",
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


def _pull_backoff(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c.reason = "ImagePullBackOff"
        c.message = f'Back-off pulling image "{c.image}"'
        ctx.event("Normal", "BackOff", c.message)
        ctx.event("Warning", "Failed", "Error: ImagePullBackOff")

    return fire


def _start(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
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
        c.has_run, c.created = True, False
        c.ready = c.sidecar  # a sidecar without a probe is ready once started
        ctx.event("Normal", "Started", f"Started container {c.name}")

    return fire


def _complete(c: ContainerRun) -> Action:
    def fire(run: PodRun, pod: Obj, ctx: StageContext) -> None:
        c.state, c.reason, c.exit_code, c.finished_at = "terminated", "Completed", 0, ctx.now()
        c.ready = False

    return fire


def container_step(c: ContainerRun, run: PodRun, ctx: StageContext) -> Stage | None:
    """The next start-up step of one container: pull, back off, or start."""
    if c.pull_started is not None:
        return Stage("pull-end", c.name, c.pull_started + _pull_duration(c, ctx), _pull_end(c))
    if c.state == "waiting" and c.reason == "ErrImagePull" and c.pull_failed_at is not None:
        due = c.pull_failed_at + ctx.timings.image_pull_backoff
        return Stage("pull-backoff", c.name, due, _pull_backoff(c))
    if c.created:
        due = since(run, f"start:{c.name}", ctx) + ctx.timings.container_start
        return Stage("start", c.name, due, _start(c))
    if c.needs_create and c.reason != "ErrImageNeverPull":
        return Stage("pull-begin", c.name, max(ctx.now(), c.retry_at), _pull_begin(c))
    return None


def _init_stage(run: PodRun, ctx: StageContext) -> tuple[bool, Stage | None]:
    """(initialised, the init step to take): init containers run strictly one at a time."""
    for c in run.init_containers:
        if c.sidecar and c.state == "running":
            continue
        if not c.sidecar and c.completed:
            continue
        if c.state == "running":
            due = (c.started_at or ctx.now()) + ctx.timings.container_start
            return False, Stage("complete", c.name, due, _complete(c))
        return False, container_step(c, run, ctx)
    return True, None


def startup_stage(run: PodRun, pod: Obj, ctx: StageContext) -> Stage | None:
    """The next start-up stage of the pod's containers (see the module docstring)."""
    initialised, step = _init_stage(run, ctx)
    if not initialised:
        return step
    deferred: Stage | None = None
    for c in run.containers:
        step = container_step(c, run, ctx)
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
