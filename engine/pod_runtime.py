"""What the simulated kubelet knows about the pods it runs, and how it reports them.

Like the real kubelet, ours keeps the truth about containers in memory (the "runtime": which
container runs since when, restart counts, back-off entries, probe results) and **renders** the
pod's ``status`` from it on every sync. That makes the status self-healing: when the node
lifecycle controller marks a pod unready because its node stopped answering, the kubelet's next
sync after the node is back writes the real state again.

Vocabulary helpers used by the stages live here too: image reference normalisation (containerd
reports ``docker.io/library/nginx:latest`` for ``nginx``), pull policies, Go duration strings for
event messages, and readiness probe parameters with the API defaults.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engine.objects import Obj

#: pod annotation holding the readiness fault ("fail")
READINESS_ANNOTATION = "playground.local/readiness"
#: node annotation set while the node's kubelet is stopped ("stopped")
KUBELET_ANNOTATION = "playground.local/kubelet"


@dataclass(slots=True)
class ContainerRun:
    """One container as the runtime sees it."""

    name: str
    image: str
    policy: str
    state: str = "waiting"  # waiting | running | terminated
    reason: str = "ContainerCreating"
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int = 0
    last_terminated: dict[str, Any] | None = None
    restart_count: int = 0
    ready: bool = False
    has_run: bool = False
    #: image ensured and container created; waiting for the start stage
    created: bool = False
    pull_started: float | None = None
    pull_failures: int = 0
    pull_failed_at: float | None = None
    #: earliest time the next pull/start may begin (back-offs)
    retry_at: float = 0.0
    #: no restart will follow (restartPolicy Never, or the pod is stopping)
    final: bool = False
    crash_requested: bool = False
    #: CrashLoopBackOff flowcontrol entry (duration, last update)
    backoff: float = 0.0
    backoff_update: float | None = None
    #: a restartable init container (``restartPolicy: Always``): runs beside the others
    sidecar: bool = False

    @property
    def completed(self) -> bool:
        """Ran to completion (exit code 0), as an init container must."""
        return self.state == "terminated" and self.exit_code == 0 and self.reason == "Completed"

    @property
    def needs_create(self) -> bool:
        """Not running, not created, and a (re)start is due at some point."""
        return self.state != "running" and not self.created and not self.final


@dataclass(slots=True)
class ProbeRun:
    """The pod's readiness probe as the prober worker tracks it."""

    fault: bool = False
    #: when the current failing streak's tick grid starts
    fault_since: float = 0.0
    #: failed probes since ``fault_since``
    ticks: int = 0
    #: when the fault was last cleared (None: never)
    cleared_at: float | None = None


@dataclass(slots=True)
class PodRun:
    """One pod as the kubelet runs it."""

    uid: str
    namespace: str
    name: str
    node: str
    containers: list[ContainerRun]
    start_time: float
    init_containers: list[ContainerRun] = field(default_factory=list)
    ip: str = ""
    sandbox_ready: bool = False
    #: when each pending stage (by ident) first applied: delays count from there
    anchors: dict[str, float] = field(default_factory=dict)
    #: stages whose ``enter`` already ran
    entered: set[str] = field(default_factory=set)
    probe: ProbeRun = field(default_factory=ProbeRun)
    done: bool = False
    final_phase: str = ""
    #: bumped whenever a stage enters or fires: the record may render differently
    version: int = 0
    #: what the kubelet last rendered and stored for this run (see ``engine.pod_status``)
    last_status: Any = None

    @property
    def all_containers(self) -> list[ContainerRun]:
        """Init containers, then regular containers."""
        return [*self.init_containers, *self.containers]

    @property
    def initialized(self) -> bool:
        """Every init container completed (sidecars: started)."""
        return all(
            (c.state == "running") if c.sidecar else c.completed for c in self.init_containers
        )

    @property
    def key(self) -> str:
        """``namespace/name`` of the pod."""
        return f"{self.namespace}/{self.name}"

    def phase(self, restart_policy: str) -> str:
        """status.phase the kubelet reports (``getPhase``, simplified to regular containers)."""
        if self.done:
            return self.final_phase
        if restart_policy == "Never" and all(c.state == "terminated" for c in self.containers):
            ok = all(c.exit_code == 0 for c in self.containers)
            return "Succeeded" if ok else "Failed"
        if all(c.has_run for c in self.containers):
            return "Running"
        return "Pending"


def new_run(pod: Obj, node: str, now: float) -> PodRun:
    """Runtime record for a pod the kubelet sees for the first time."""
    spec = pod.get("spec") or {}
    md = pod["metadata"]
    return PodRun(
        uid=str(md.get("uid", "")),
        namespace=str(md.get("namespace", "default")),
        name=str(md["name"]),
        node=node,
        containers=[_container_run(c) for c in spec.get("containers") or []],
        start_time=now,
        init_containers=[_container_run(c, init=True) for c in spec.get("initContainers") or []],
    )


def _container_run(spec: dict[str, Any], init: bool = False) -> ContainerRun:
    return ContainerRun(
        name=str(spec.get("name", "")),
        image=str(spec.get("image", "")),
        policy=pull_policy(spec),
        sidecar=init and spec.get("restartPolicy") == "Always",
    )


def adopt_status(run: PodRun, pod: Obj, parse: Callable[[str], float]) -> None:
    """Take over containers a previous kubelet left running (a restart of the kubelet, or a
    cluster loaded from a save file): their state comes from the pod's reported status, as the
    real kubelet rebuilds it from the container runtime."""
    status = pod.get("status") or {}
    if status.get("startTime"):
        run.start_time = parse(str(status["startTime"]))
    _adopt(run.init_containers, status.get("initContainerStatuses") or [], status, parse)
    _adopt(run.containers, status.get("containerStatuses") or [], status, parse)
    if status.get("podIP") and any(c.has_run for c in run.all_containers):
        run.ip = str(status["podIP"])
        run.sandbox_ready = True


def _adopt(
    runs: list[ContainerRun],
    reported: list[dict[str, Any]],
    status: dict[str, Any],
    parse: Callable[[str], float],
) -> None:
    by_name = {cs.get("name"): cs for cs in reported}
    for c in runs:
        cs = by_name.get(c.name) or {}
        state = cs.get("state") or {}
        c.restart_count = int(cs.get("restartCount", 0) or 0)
        last = cs.get("lastState") or {}
        c.last_terminated = last if last.get("terminated") else None
        running, done = state.get("running"), state.get("terminated")
        c.has_run = bool(running or done) or c.restart_count > 0
        if running:
            c.state, c.reason = "running", ""
            c.started_at = parse(str(running.get("startedAt") or status.get("startTime") or ""))
            c.ready = bool(cs.get("ready"))
        elif done and done.get("reason") == "Completed" and c.restart_count == 0:
            c.state, c.reason, c.exit_code = "terminated", "Completed", int(done.get("exitCode", 0))
            c.started_at = parse(str(done.get("startedAt") or status.get("startTime") or ""))
            c.finished_at = parse(str(done.get("finishedAt") or status.get("startTime") or ""))


# -- images -------------------------------------------------------------------------------
@lru_cache(maxsize=1024)  # a pure function of a few distinct images, asked on every render
def normalize_image(image: str) -> str:
    """The fully qualified reference containerd reports.

    ``nginx`` → ``docker.io/library/nginx:latest``, ``foo/bar:1`` → ``docker.io/foo/bar:1``.
    """
    ref = image.strip()
    name, _, digest = ref.partition("@")
    first = name.split("/", 1)[0]
    has_registry = "/" in name and ("." in first or ":" in first or first == "localhost")
    if not has_registry:
        name = ("docker.io/library/" if "/" not in name else "docker.io/") + name
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not digest:
        name += ":latest"
    return f"{name}@{digest}" if digest else name


def image_tag(image: str) -> str:
    """The tag of a reference (``latest`` when none)."""
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def image_missing_kind(image: str) -> str | None:
    """Playground rule (§8.6): ``repo`` when the repository name starts with ``no-such``,
    ``tag`` when the tag does, else None (the image pulls)."""
    repo = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    if repo.startswith("no-such"):
        return "repo"
    if image_tag(image).startswith("no-such"):
        return "tag"
    return None


def pull_error(image: str) -> str:
    """containerd's error for an image that cannot be pulled."""
    ref = normalize_image(image)
    if image_missing_kind(image) == "repo":
        return (
            f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": '
            "pull access denied, repository does not exist or may require authorization: "
            "server message: insufficient_scope: authorization failed"
        )
    return (
        f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": '
        f"{ref}: not found"
    )


def pull_policy(container: dict[str, Any]) -> str:
    """imagePullPolicy with the API default (Always for ``:latest`` or no tag)."""
    policy = container.get("imagePullPolicy")
    if policy:
        return str(policy)
    image = str(container.get("image", ""))
    if "@" in image:
        return "IfNotPresent"
    return "Always" if image_tag(image) == "latest" else "IfNotPresent"


def image_size(image: str) -> int:
    """A stable, plausible compressed image size in bytes (derived from the name)."""
    return 20_000_000 + zlib.crc32(normalize_image(image).encode()) % 60_000_000


@lru_cache(maxsize=256)  # image digests: a few images, asked on every render
def digest_of(text: str) -> str:
    """A stable sha256 hex digest standing in for image and container IDs."""
    return hashlib.sha256(text.encode()).hexdigest()


def go_duration(seconds: float) -> str:
    """Go ``time.Duration.String``: ``500ms``, ``2s``, ``1.5s``, ``1m20s``, ``5m0s``."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:.0f}ms" if ms == int(ms) else f"{ms:g}ms"
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    sec_text = f"{secs:.3f}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{sec_text}s"
    if minutes:
        return f"{minutes}m{sec_text}s"
    return f"{sec_text}s"


# -- probes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProbeSpec:
    """Readiness probe parameters with API defaults; ``virtual`` when the pod has none."""

    initial_delay: float
    period: float
    failure_threshold: int
    success_threshold: int
    kind: str
    port: str
    virtual: bool


def probe_spec(container: dict[str, Any], ready_after: float) -> ProbeSpec:
    """The container's readinessProbe (or a virtual HTTP probe with the defaults)."""
    probe = container.get("readinessProbe")
    if not probe:
        port = _first_port(container)
        return ProbeSpec(ready_after, 10.0, 3, 1, "httpGet", port, True)
    kind = next((k for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe), "httpGet")
    port = str((probe.get(kind) or {}).get("port", "") or _first_port(container))
    return ProbeSpec(
        initial_delay=float(probe.get("initialDelaySeconds", 0) or 0),
        period=float(probe.get("periodSeconds", 10) or 10),
        failure_threshold=int(probe.get("failureThreshold", 3) or 3),
        success_threshold=int(probe.get("successThreshold", 1) or 1),
        kind=kind,
        port=port,
        virtual=False,
    )


def _first_port(container: dict[str, Any]) -> str:
    ports = container.get("ports") or []
    return str(ports[0].get("containerPort", 80)) if ports else "80"


def probe_failure_message(spec: ProbeSpec, pod_ip: str) -> str:
    """The ``Unhealthy`` event message of a failed readiness probe (kubelet prober)."""
    if spec.kind == "tcpSocket":
        detail = f"dial tcp {pod_ip}:{spec.port}: connect: connection refused"
    elif spec.kind == "exec":
        detail = ""
    elif spec.kind == "grpc":
        detail = 'service unhealthy (responded with "NOT_SERVING")'
    else:
        detail = "HTTP probe failed with statuscode: 503"
    return f"Readiness probe failed: {detail}"


def readiness_fault(pod: Obj) -> bool:
    """Whether the pod's readiness fault annotation says ``fail``."""
    annotations = pod["metadata"].get("annotations") or {}
    return annotations.get(READINESS_ANNOTATION) == "fail"


def kubelet_stopped(node: Obj) -> bool:
    """Whether the node's kubelet is stopped (the playground's node-down fault)."""
    annotations = node["metadata"].get("annotations") or {}
    return annotations.get(KUBELET_ANNOTATION) == "stopped"
