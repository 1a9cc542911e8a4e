"""``kubectl get`` cells for storage, nodes, namespaces, events and controller revisions
(pkg/printers/internalversion)."""

from __future__ import annotations

from engine.kubectl.table_ctx import Ctx, Row
from engine.objects import Obj, controller_ref, labels_of

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
