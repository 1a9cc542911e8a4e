"""``kubectl get`` table columns and cells per resource (pkg/printers/internalversion).

Each printer returns the cells of one row; :data:`COLUMNS` names the headers, with the
``-o wide`` (priority 1) extras separately. Ages are ``duration.HumanDuration`` of the time
since ``creationTimestamp`` on the cluster clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import format as fmt
from engine.clock import Clock
from engine.objects import Obj, controller_ref, labels_of
from engine.selectors import format_label_selector, format_map


@dataclass(frozen=True)
class Ctx:
    """What cell rules need besides the object: the clock (for ages)."""

    clock: Clock

    def age(self, timestamp: str | None) -> str:
        """HumanDuration since ``timestamp`` (``<unknown>`` when missing)."""
        if not timestamp:
            return "<unknown>"
        return fmt.human_duration(self.clock.now() - self.clock.parse_timestamp(timestamp))

    def created(self, obj: Obj) -> str:
        """AGE of ``obj``."""
        return self.age(obj["metadata"].get("creationTimestamp"))


Row = list[str]
Printer = Callable[[Obj, Ctx, bool], Row]


def _containers(obj: Obj) -> tuple[str, str]:
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = spec.get("containers") or []
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


def pod_row(pod: Obj, ctx: Ctx, wide: bool) -> Row:
    """printPod."""
    last = fmt.last_termination(pod)
    since = ctx.clock.now() - ctx.clock.parse_timestamp(last) if last else None
    row = [
        pod["metadata"]["name"],
        fmt.pod_ready_column(pod),
        fmt.pod_status_column(pod),
        fmt.pod_restarts_column(pod, ctx.clock.timestamp(), since),
        ctx.created(pod),
    ]
    if wide:
        status = pod.get("status") or {}
        spec = pod.get("spec") or {}
        gates = spec.get("readinessGates") or []
        gates_cell = "<none>"
        if gates:
            conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
            true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
            gates_cell = f"{true}/{len(gates)}"
        row += [
            status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            gates_cell,
        ]
    return row


def statefulset_row(sts: Obj, ctx: Ctx, wide: bool) -> Row:
    """printStatefulSet: READY is readyReplicas/spec.replicas."""
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    row = [
        sts["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        ctx.created(sts),
    ]
    if wide:
        row += list(_containers(sts))
    return row


def deployment_row(dep: Obj, ctx: Ctx, wide: bool) -> Row:
    """printDeployment."""
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    row = [
        dep["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        ctx.created(dep),
    ]
    if wide:
        row += [*_containers(dep), format_label_selector(spec.get("selector"))]
    return row


def replicaset_row(rs: Obj, ctx: Ctx, wide: bool) -> Row:
    """printReplicaSet."""
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    row = [
        rs["metadata"]["name"],
        str(spec.get("replicas", 1)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        ctx.created(rs),
    ]
    if wide:
        row += [*_containers(rs), format_label_selector(spec.get("selector"))]
    return row


def _service_ports(spec: dict[str, Any]) -> str:
    parts = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol", "TCP")
        if p.get("nodePort"):
            parts.append(f"{p['port']}:{p['nodePort']}/{proto}")
        else:
            parts.append(f"{p['port']}/{proto}")
    return ",".join(parts) if parts else "<none>"


def _external_ip(spec: dict[str, Any], status: dict[str, Any]) -> str:
    stype = spec.get("type", "ClusterIP")
    external = list(spec.get("externalIPs") or [])
    if stype == "ExternalName":
        return str(spec.get("externalName", ""))
    if stype == "LoadBalancer":
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        ips = [i.get("ip") or i.get("hostname") for i in ingress] + external
        return ",".join(str(i) for i in ips if i) or "<pending>"
    return ",".join(external) if external else "<none>"


def service_row(svc: Obj, ctx: Ctx, wide: bool) -> Row:
    """printService."""
    spec, status = svc.get("spec") or {}, svc.get("status") or {}
    cluster_ip = spec.get("clusterIP") or ("<none>" if spec.get("type") == "ExternalName" else "")
    row = [
        svc["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        cluster_ip,
        _external_ip(spec, status),
        _service_ports(spec),
        ctx.created(svc),
    ]
    if wide:
        row.append(format_map(spec.get("selector")))
    return row


def format_endpoints(ep: Obj, limit: int = 3) -> str:
    """formatEndpoints: ready addresses as ``ip:port``, at most 3 then `` + N more...``."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items: list[str] = []
    count = 0
    for ss in subsets:
        addresses = [a.get("ip", "") for a in ss.get("addresses") or []]
        ports = ss.get("ports") or []
        if not ports:
            count += len(addresses)
            items.extend(addresses)
            continue
        for port in ports:
            count += len(addresses)
            items.extend(f"{ip}:{port.get('port')}" for ip in addresses)
    if count > limit:
        return ",".join(items[:limit]) + f" + {count - limit} more..."
    return ",".join(items)


def endpoints_row(ep: Obj, ctx: Ctx, wide: bool) -> Row:
    """printEndpoints."""
    return [ep["metadata"]["name"], format_endpoints(ep), ctx.created(ep)]


def endpointslice_row(eps: Obj, ctx: Ctx, wide: bool) -> Row:
    """printEndpointSlice: every address, ready or not."""
    ports = [str(p.get("port")) for p in eps.get("ports") or [] if p.get("port") is not None]
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    shown = ",".join(addresses[:3]) if addresses else "<unset>"
    if len(addresses) > 3:
        shown += f" + {len(addresses) - 3} more..."
    return [
        eps["metadata"]["name"],
        str(eps.get("addressType", "IPv4")),
        ",".join(ports) if ports else "<unset>",
        shown,
        ctx.created(eps),
    ]


_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def access_modes(modes: list[str] | None) -> str:
    """GetAccessModesAsString: ``RWO``, ``RWO,RWX`` (fixed order)."""
    have = set(modes or [])
    return ",".join(short for full, short in _MODES if full in have)


def pvc_row(pvc: Obj, ctx: Ctx, wide: bool) -> Row:
    """printPersistentVolumeClaim: capacity and modes only once bound to a volume."""
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    phase = "Terminating" if pvc["metadata"].get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        capacity = str((status.get("capacity") or {}).get("storage", ""))
        modes = access_modes(status.get("accessModes"))
    row = [
        pvc["metadata"]["name"],
        str(phase),
        spec.get("volumeName", ""),
        capacity,
        modes,
        spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        ctx.created(pvc),
    ]
    if wide:
        row.append(spec.get("volumeMode") or "<unset>")
    return row


def pv_row(pv: Obj, ctx: Ctx, wide: bool) -> Row:
    """printPersistentVolume."""
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if pv["metadata"].get("deletionTimestamp") else status.get("phase", "")
    row = [
        pv["metadata"]["name"],
        str((spec.get("capacity") or {}).get("storage", "")),
        access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        str(phase),
        claim,
        spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason", ""),
        ctx.created(pv),
    ]
    if wide:
        row.append(spec.get("volumeMode") or "<unset>")
    return row


def storageclass_row(sc: Obj, ctx: Ctx, wide: bool) -> Row:
    """printStorageClass: `` (default)`` after the default class's name."""
    ann = sc["metadata"].get("annotations") or {}
    default = (
        ann.get("storageclass.kubernetes.io/is-default-class") == "true"
        or ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true"
    )
    return [
        sc["metadata"]["name"] + (" (default)" if default else ""),
        str(sc.get("provisioner", "")),
        str(sc.get("reclaimPolicy") or "Delete"),
        str(sc.get("volumeBindingMode") or "Immediate"),
        "true" if sc.get("allowVolumeExpansion") else "false",
        ctx.created(sc),
    ]


def node_status(node: Obj) -> str:
    """printNode STATUS: ``Ready``/``NotReady``/``Unknown`` plus ``SchedulingDisabled``."""
    status = []
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            status = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def node_roles(node: Obj) -> str:
    """findNodeRoles: ``node-role.kubernetes.io/<role>`` labels, ``<none>`` if none."""
    roles = set()
    for key, value in labels_of(node).items():
        if key.startswith("node-role.kubernetes.io/"):
            roles.add(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role":
            roles.add(value)
    return ",".join(sorted(r for r in roles if r)) or "<none>"


def _node_address(node: Obj, kind: str) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == kind:
            return str(addr.get("address"))
    return "<none>"


def node_row(node: Obj, ctx: Ctx, wide: bool) -> Row:
    """printNode."""
    info = (node.get("status") or {}).get("nodeInfo") or {}
    row = [
        node["metadata"]["name"],
        node_status(node),
        node_roles(node),
        ctx.created(node),
        info.get("kubeletVersion", ""),
    ]
    if wide:
        row += [
            _node_address(node, "InternalIP"),
            _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
    return row


def namespace_row(ns: Obj, ctx: Ctx, wide: bool) -> Row:
    """printNamespace."""
    phase = (ns.get("status") or {}).get("phase") or "Active"
    if ns["metadata"].get("deletionTimestamp"):
        phase = "Terminating"
    return [ns["metadata"]["name"], str(phase), ctx.created(ns)]


def event_row(ev: Obj, ctx: Ctx, wide: bool) -> Row:
    """printEvent: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (+ wide extras)."""
    first = ctx.age(ev.get("firstTimestamp") or ev.get("eventTime"))
    last = ctx.age(ev.get("lastTimestamp")) if ev.get("lastTimestamp") else first
    inv = ev.get("involvedObject") or {}
    kind = str(inv.get("kind", "")).lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    message = str(ev.get("message", "")).strip()
    if not wide:
        return [last, ev.get("type", ""), ev.get("reason", ""), target, message]
    return [
        last,
        ev.get("type", ""),
        ev.get("reason", ""),
        target,
        inv.get("fieldPath", ""),
        event_source(ev),
        message,
        first,
        str(ev.get("count") or 1),
        ev["metadata"]["name"],
    ]


def event_source(ev: Obj) -> str:
    """formatEventSource: ``component`` or ``component, host``."""
    source = ev.get("source") or {}
    component = source.get("component") or ev.get("reportingComponent") or ""
    host = source.get("host") or ev.get("reportingInstance") or ""
    return f"{component}, {host}" if host else str(component)


def controllerrevision_row(cr: Obj, ctx: Ctx, wide: bool) -> Row:
    """printControllerRevision: CONTROLLER is ``statefulset.apps/web``."""
    ref = controller_ref(cr)
    controller = "<none>"
    if ref:
        group = str(ref.get("apiVersion", "")).partition("/")
        prefix = ref["kind"].lower() + (f".{group[0]}" if group[1] else "")
        controller = f"{prefix}/{ref['name']}"
    return [cr["metadata"]["name"], controller, str(cr.get("revision", 0)), ctx.created(cr)]


@dataclass(frozen=True)
class TableSpec:
    """Headers (normal, wide extras) and the row printer of one kind."""

    columns: tuple[str, ...]
    wide: tuple[str, ...]
    row: Printer


TABLES: dict[str, TableSpec] = {
    "Pod": TableSpec(
        ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        pod_row,
    ),
    "StatefulSet": TableSpec(("NAME", "READY", "AGE"), ("CONTAINERS", "IMAGES"), statefulset_row),
    "Deployment": TableSpec(
        ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
        ("CONTAINERS", "IMAGES", "SELECTOR"),
        deployment_row,
    ),
    "ReplicaSet": TableSpec(
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        ("CONTAINERS", "IMAGES", "SELECTOR"),
        replicaset_row,
    ),
    "Service": TableSpec(
        ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), ("SELECTOR",), service_row
    ),
    "Endpoints": TableSpec(("NAME", "ENDPOINTS", "AGE"), (), endpoints_row),
    "EndpointSlice": TableSpec(
        ("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), (), endpointslice_row
    ),
    "PersistentVolumeClaim": TableSpec(
        (
            "NAME",
            "STATUS",
            "VOLUME",
            "CAPACITY",
            "ACCESS MODES",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "AGE",
        ),
        ("VOLUMEMODE",),
        pvc_row,
    ),
    "PersistentVolume": TableSpec(
        (
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE",
        ),
        ("VOLUMEMODE",),
        pv_row,
    ),
    "StorageClass": TableSpec(
        (
            "NAME",
            "PROVISIONER",
            "RECLAIMPOLICY",
            "VOLUMEBINDINGMODE",
            "ALLOWVOLUMEEXPANSION",
            "AGE",
        ),
        (),
        storageclass_row,
    ),
    "Node": TableSpec(
        ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
        node_row,
    ),
    "Namespace": TableSpec(("NAME", "STATUS", "AGE"), (), namespace_row),
    "Event": TableSpec(
        ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
        (),
        event_row,
    ),
    "ControllerRevision": TableSpec(
        ("NAME", "CONTROLLER", "REVISION", "AGE"), (), controllerrevision_row
    ),
}
_WIDE_EVENT = (
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "SUBOBJECT",
    "SOURCE",
    "MESSAGE",
    "FIRST SEEN",
    "COUNT",
    "NAME",
)


def headers(kind: str, wide: bool) -> list[str]:
    """Column headers of ``kind`` (with the wide extras when ``wide``)."""
    spec = TABLES[kind]
    if kind == "Event" and wide:
        return list(_WIDE_EVENT)
    return [*spec.columns, *(spec.wide if wide else ())]


def row(kind: str, obj: Obj, ctx: Ctx, wide: bool) -> Row:
    """Cells of one object's row."""
    return TABLES[kind].row(obj, ctx, wide)


def labels_cell(obj: Obj) -> str:
    """``--show-labels``: ``k=v,…`` sorted by key, ``<none>`` when empty."""
    return format_map(labels_of(obj))
