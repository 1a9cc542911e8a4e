"""``kubectl get`` table columns and cells per resource (pkg/printers/internalversion).

Each printer returns the cells of one row; :data:`TABLES` names the headers, with the
``-o wide`` (priority 1) extras separately. Ages are ``duration.HumanDuration`` of the time
since ``creationTimestamp`` on the cluster clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import format as fmt
from engine.kubectl.table_ctx import Ctx, Row
from engine.kubectl.tables_infra import (
    access_modes,
    controllerrevision_row,
    event_row,
    namespace_row,
    node_roles,
    node_row,
    pv_row,
    pvc_row,
    storageclass_row,
)
from engine.objects import Obj, labels_of
from engine.selectors import format_label_selector, format_map

__all__ = ["Ctx", "Row", "access_modes", "node_roles"]

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
