"""Building blocks of ``kubectl describe`` (pkg/describe/describe.go).

A :class:`Writer` collects lines written at indentation levels (two spaces per level, like
kubectl's PrefixWriter) with TABs between label and value; :meth:`Writer.text` aligns them with
Go's tabwriter settings for describe (``minwidth 0, padding 2``). Labels, annotations, events
and the pod template print exactly as the describe helpers do.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from engine import format as fmt
from engine import quantity
from engine.clock import Clock
from engine.kubectl.gosort import go_sort
from engine.kubectl.tabwriter import align
from engine.objects import Obj

_SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
GO_ZERO_TIME = "Mon, 01 Jan 0001 00:00:00 +0000"
_MAX_ANNOTATION = 140


class Writer:
    """kubectl's PrefixWriter over a buffer."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        """Write ``text`` indented by ``level`` × two spaces."""
        self._parts.append("  " * level + text)

    def line(self, text: str = "") -> None:
        """WriteLine: ``text`` and a newline, no indent."""
        self._parts.append(text + "\n")

    def text(self) -> str:
        """The aligned output."""
        return align("".join(self._parts), minwidth=0, padding=2)

    # -- shared field renderers ------------------------------------------------------
    def rfc1123z(self, timestamp: str | None) -> str:
        """``Mon, 06 Jul 2026 10:00:00 +0000``; an unset time prints as Go's zero time does
        (``Mon, 01 Jan 0001 00:00:00 +0000``), since kubectl formats ``metav1.Time`` values
        without a nil check (a condition's ``lastProbeTime: null``, for one)."""
        if not timestamp:
            return GO_ZERO_TIME
        when = self.clock.wall(self.clock.parse_timestamp(timestamp))
        return when.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")

    def since(self, timestamp: str | None) -> str:
        """translateTimestampSince: HumanDuration, ``<unknown>`` when unset."""
        if not timestamp:
            return "<unknown>"
        return fmt.human_duration(self.clock.now() - self.clock.parse_timestamp(timestamp))

    def labels(self, title: str, labels: dict[str, str] | None, indent: str = "") -> None:
        """printLabelsMultilineWithIndent: ``k=v`` lines, ``<none>`` when empty."""
        self.write(0, f"{indent}{title}:\t")
        keys = sorted(labels or {})
        if not keys:
            self.line("<none>")
            return
        for i, key in enumerate(keys):
            if i:
                self.write(0, f"{indent}\t")
            self.write(0, f"{key}={(labels or {})[key]}\n")

    def annotations(self, title: str, annotations: dict[str, str] | None) -> None:
        """printAnnotationsMultiline: ``k: v`` lines, long values on their own lines."""
        self.write(0, f"{title}:\t")
        values = annotations or {}
        keys = sorted(k for k in values if k not in _SKIP_ANNOTATIONS)
        if not keys:
            self.line("<none>")
            return
        for i, key in enumerate(keys):
            if i:
                self.write(0, "\t")
            value = values[key].removesuffix("\n")
            if len(value) + len(key) + 2 > _MAX_ANNOTATION or "\n" in value:
                self.write(0, f"{key}:\n")
                for part in value.split("\n"):
                    short = part if len(part) <= 138 else part[:138] + "..."
                    self.write(0, f"\t  {short}\n")
            else:
                self.write(0, f"{key}: {value}\n")

    def events(self, events: list[Obj] | None) -> None:
        """DescribeEvents: ``Events:  <none>`` or the Type/Reason/Age/From/Message table."""
        if not events:
            self.write(0, "Events:\t<none>\n")
            return
        ordered = list(events)
        go_sort(ordered, lambda x, y: _event_time(x) < _event_time(y))
        self.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
        self.write(1, "----\t------\t----\t----\t-------\n")
        for ev in ordered:
            first = self.since(ev.get("firstTimestamp"))
            count = int(ev.get("count") or 1)
            age = first
            if count > 1:
                age = f"{self.since(ev.get('lastTimestamp'))} (x{count} over {first})"
            source = (ev.get("source") or {}).get("component") or ev.get("reportingComponent", "")
            message = str(ev.get("message", "")).strip()
            self.write(1, f"{ev.get('type', '')}\t{ev.get('reason', '')}\t{age}\t{source}\t")
            self.write(0, f"{message}\n")

    def workload_conditions(self, conditions: list[dict[str, Any]] | None) -> None:
        """The ``Conditions:`` table of describeReplicaSet, describeReplicationController and
        describeDeployment: Type, Status, Reason (no message, no times); nothing at all when
        the object has no conditions."""
        if not conditions:
            return
        self.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        self.write(1, "----\t------\t------\n")
        for c in conditions:
            self.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")

    def timed_conditions(
        self, conditions: list[dict[str, Any]] | None, time_key: str, time_title: str
    ) -> None:
        """The six-column ``Conditions:`` table of describeNode (``LastHeartbeatTime``) and
        describePersistentVolumeClaim (``LastProbeTime``), nothing when there are none.

        Both describers underline the third column with the same 17 dashes, however long its
        title, and pad every cell but the message with a space before the TAB."""
        if not conditions:
            return
        self.write(0, "Conditions:\n")
        self.write(1, f"Type\tStatus\t{time_title}\tLastTransitionTime\tReason\tMessage\n")
        self.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            self.write(
                1,
                f"{c.get('type', '')} \t{c.get('status', '')} \t{self.rfc1123z(c.get(time_key))} \t"
                f"{self.rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t"
                f"{c.get('message', '')}\n",
            )


def _event_time(ev: Obj) -> str:
    return str(ev.get("lastTimestamp") or ev.get("eventTime") or "")


def controlled_by(obj: Obj) -> str:
    """printController: ``StatefulSet/web`` ("" when no controller)."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref['kind']}/{ref['name']}"
    return ""


def container_ports(container: dict[str, Any], host: bool = False) -> str:
    """``80/TCP`` (``0/TCP`` for host ports), comma-joined with a space."""
    ports = container.get("ports") or []
    key = "hostPort" if host else "containerPort"
    return ", ".join(f"{p.get(key, 0)}/{p.get('protocol', 'TCP')}" for p in ports)


def describe_containers(
    w: Writer,
    label: str,
    containers: list[dict[str, Any]],
    statuses: list[dict[str, Any]] | None,
    space: str = "",
) -> None:
    """describeContainers (pods pass statuses; templates pass None)."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for c in containers:
        status = by_name.get(c.get("name"))
        _container_basics(w, c, status, space)
        _container_command(w, c)
        if status is not None:
            _container_state(w, "State", status.get("state") or {})
            last = (status.get("lastState") or {}).get("terminated")
            if last:
                _container_state(w, "Last State", {"terminated": last})
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{int(status.get('restartCount', 0))}\n")
        _container_resources(w, c.get("resources") or {})
        _container_probes(w, c)
        _container_env(w, c)
        _container_mounts(w, c)


def _container_basics(
    w: Writer, c: dict[str, Any], status: dict[str, Any] | None, space: str
) -> None:
    w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
    if status is not None:
        w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(2, f"Image:\t{c.get('image', '')}\n")
    if status is not None:
        w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = container_ports(c)
    label = "Ports" if "," in ports else "Port"
    w.write(2, f"{label}:\t{ports or '<none>'}\n")
    host = container_ports(c, host=True)
    label = "Host Ports" if "," in host else "Host Port"
    w.write(2, f"{label}:\t{host or '<none>'}\n")


def _container_command(w: Writer, c: dict[str, Any]) -> None:
    for title, key in (("Command", "command"), ("Args", "args")):
        if c.get(key):
            w.write(2, f"{title}:\n")
            for item in c[key]:
                for part in str(item).split("\n"):
                    w.write(3, f"{part}\n")


def _container_state(w: Writer, name: str, state: dict[str, Any]) -> None:
    if state.get("running") is not None:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{w.rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{int(t.get('exitCode', 0))}\n")
        if t.get("signal"):
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{w.rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{w.rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _container_resources(w: Writer, resources: dict[str, Any]) -> None:
    for title in ("limits", "requests"):
        values = resources.get(title) or {}
        if values:
            w.write(2, f"{title.capitalize()}:\n")
        for name in sorted(values):
            w.write(3, f"{name}:\t{quantity.lenient(values[name])}\n")


def describe_probe(probe: dict[str, Any]) -> str:
    """DescribeProbe: ``http-get http://:80/ delay=0s timeout=1s period=10s #success=1 …``."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if probe.get("exec"):
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet"):
        h = probe["httpGet"]
        scheme = str(h.get("scheme", "HTTP")).lower()
        where = f"{h.get('host', '')}:{h.get('port', '')}{h.get('path', '')}"
        return f"http-get {scheme}://{where} {attrs}"
    if probe.get("tcpSocket"):
        t = probe["tcpSocket"]
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    return f"unknown {attrs}"


def _container_probes(w: Writer, c: dict[str, Any]) -> None:
    for title, key in (
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ):
        if c.get(key):
            w.write(2, f"{title}:\t{describe_probe(c[key])}\n")


def _container_env(w: Writer, c: dict[str, Any]) -> None:
    env = c.get("env") or []
    w.write(2, f"Environment:{'' if env else chr(9) + '<none>'}\n")
    for e in env:
        if "value" in e or not e.get("valueFrom"):
            for i, part in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e['name']}:\t{part}\n" if i == 0 else f"\t{part}\n")
        else:
            w.write(3, f"{e['name']}:\t<set from {next(iter(e['valueFrom']))}>\n")


def _container_mounts(w: Writer, c: dict[str, Any]) -> None:
    mounts = sorted(c.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
    w.write(2, f"Mounts:{'' if mounts else chr(9) + '<none>'}\n")
    for m in mounts:
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def describe_volumes(w: Writer, volumes: list[dict[str, Any]], space: str = "") -> None:
    """describeVolumes for the volume sources the playground uses."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        if v.get("persistentVolumeClaim") is not None:
            claim = v["persistentVolumeClaim"]
            w.write(
                2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
                "same namespace)\n"
                f"    ClaimName:\t{claim.get('claimName', '')}\n"
                f"    ReadOnly:\t{'true' if claim.get('readOnly') else 'false'}\n",
            )
        elif v.get("emptyDir") is not None:
            e = v["emptyDir"]
            w.write(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{e.get('medium', '')}\n"
                f"    SizeLimit:\t{e.get('sizeLimit') or '<unset>'}\n",
            )
        elif v.get("hostPath") is not None:
            h = v["hostPath"]
            w.write(
                2,
                "Type:\tHostPath (bare host directory volume)\n"
                f"    Path:\t{h.get('path', '')}\n"
                f"    HostPathType:\t{h.get('type') or '<none>'}\n",
            )
        elif v.get("configMap") is not None:
            w.write(
                2,
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                f"    Name:\t{v['configMap'].get('name', '')}\n"
                f"    Optional:\t{'true' if v['configMap'].get('optional') else 'false'}\n",
            )
        else:
            w.write(1, "<unknown>\n")


def tolerations(w: Writer, title: str, items: list[dict[str, Any]] | None) -> None:
    """printPodTolerationsMultiline (sorted by key)."""
    w.write(0, f"{title}:\t")
    if not items:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(items, key=lambda t: str(t.get("key", "")))):
        if i:
            w.write(0, "\t")
        key, value, effect = str(t.get("key", "")), t.get("value"), t.get("effect")
        text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
        if t.get("operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, f"{text}\n")


def pod_template(w: Writer, template: dict[str, Any]) -> None:
    """DescribePodTemplate."""
    md = template.get("metadata") or {}
    spec = template.get("spec") or {}
    w.write(0, "Pod Template:\n")
    w.labels("  Labels", md.get("labels"))
    if md.get("annotations"):
        w.annotations("  Annotations", md.get("annotations"))
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    w.labels("  Node-Selectors", spec.get("nodeSelector"))
    tolerations(w, "  Tolerations", spec.get("tolerations"))


def pod_status_counts(pods: list[Obj]) -> str:
    """``3 Running / 0 Waiting / 0 Succeeded / 0 Failed`` (getPodStatusForController)."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in pods:
        phase = (p.get("status") or {}).get("phase", "")
        if phase in counts:
            counts[phase] += 1
    return (
        f"{counts['Running']} Running / {counts['Pending']} Waiting / "
        f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed"
    )
