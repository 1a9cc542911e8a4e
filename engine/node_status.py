"""Node status as kubelets post it and as the node lifecycle controller rewrites it.

Pure functions on node dicts (edited in place on copies): the registration defaults a kwok-style
simulated node gets (conditions, capacity, addresses, labels), pod CIDR allocation
(``10.244.N.0/24``, the next free N), the ``Unknown`` conditions written when a kubelet stopped
posting status, and the taints that follow conditions (``TaintNodesByCondition``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from engine import bootstrap
from engine.objects import Obj, name_of
from engine.taints import TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE

#: (type, reason, message) of a healthy node's conditions, in the kubelet's order
HEALTHY_CONDITIONS = (
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
POD_CIDR_PREFIX = "10.244."


def condition(node: Obj, ctype: str) -> dict[str, Any] | None:
    """The node condition of type ``ctype``."""
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            c: dict[str, Any] = cond
            return c
    return None


def ready_status(node: Obj) -> str:
    """``True`` / ``False`` / ``Unknown`` of the Ready condition ("" when none)."""
    cond = condition(node, "Ready")
    return str(cond.get("status", "")) if cond else ""


def healthy_conditions(now: str, previous: Obj | None = None) -> list[dict[str, Any]]:
    """The four conditions a running kubelet posts (transition times kept when unchanged)."""
    out = []
    for ctype, status, reason, message in HEALTHY_CONDITIONS:
        prev = condition(previous, ctype) if previous is not None else None
        since = prev["lastTransitionTime"] if prev and prev.get("status") == status else now
        out.append(
            {
                "type": ctype,
                "status": status,
                "lastHeartbeatTime": now,
                "lastTransitionTime": since,
                "reason": reason,
                "message": message,
            }
        )
    return out


def mark_unknown(node: Obj, now: str) -> None:
    """Every condition → Unknown / NodeStatusUnknown (node lifecycle ``tryUpdateNodeHealth``)."""
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("status") != "Unknown":
            cond["lastTransitionTime"] = now
        cond["status"] = "Unknown"
        cond["reason"] = UNKNOWN_REASON
        cond["message"] = UNKNOWN_MESSAGE


def fill_registration(node: Obj, index: int, capacity: int, now: str) -> None:
    """Give a node without status what its kubelet would register: labels, capacity,
    allocatable, addresses, nodeInfo and healthy conditions."""
    template = bootstrap.node_manifest(name_of(node), index, capacity)
    labels = node["metadata"].setdefault("labels", {})
    for key, value in template["metadata"]["labels"].items():
        labels.setdefault(key, value)
    status = node.setdefault("status", {})
    for key in ("capacity", "allocatable", "addresses", "nodeInfo"):
        if not status.get(key):
            status[key] = template["status"][key]
    if not status.get("conditions"):
        status["conditions"] = healthy_conditions(now)


def cidr_index(node: Obj) -> int | None:
    """N of a node's ``10.244.N.0/24`` pod CIDR, if it has one of that shape."""
    cidr = str((node.get("spec") or {}).get("podCIDR") or "")
    if not cidr.startswith(POD_CIDR_PREFIX):
        return None
    try:
        net = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return None
    return int(str(net.network_address).split(".")[2])


def next_cidr_index(nodes: list[Obj]) -> int:
    """The smallest N ≥ 1 no node uses (the range allocator's next free /24)."""
    used = {i for i in (cidr_index(n) for n in nodes) if i is not None}
    index = 1
    while index in used:
        index += 1
    if index > 255:
        raise RuntimeError("the cluster CIDR 10.244.0.0/16 has no free /24 left")
    return index


def set_taint(node: Obj, key: str, effect: str, present: bool, now: str | None = None) -> bool:
    """Add or remove the taint ``key:effect``; True when the node changed."""
    spec = node.setdefault("spec", {})
    taints: list[dict[str, Any]] = spec.get("taints") or []
    has = any(t.get("key") == key and t.get("effect") == effect for t in taints)
    if has == present:
        return False
    if present:
        taint: dict[str, Any] = {"key": key, "effect": effect}
        if now is not None:
            taint["timeAdded"] = now
        taints = [*taints, taint]
    else:
        taints = [t for t in taints if not (t.get("key") == key and t.get("effect") == effect)]
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)
    return True


def condition_taints(node: Obj, now: str) -> bool:
    """Keep the condition taints in line with Ready and spec.unschedulable; True if changed."""
    status = ready_status(node)
    changed = set_taint(node, TAINT_UNREACHABLE, "NoSchedule", status == "Unknown")
    changed |= set_taint(node, TAINT_UNREACHABLE, "NoExecute", status == "Unknown", now)
    changed |= set_taint(node, TAINT_NOT_READY, "NoSchedule", status == "False")
    changed |= set_taint(node, TAINT_NOT_READY, "NoExecute", status == "False", now)
    unschedulable = bool((node.get("spec") or {}).get("unschedulable"))
    changed |= set_taint(node, TAINT_UNSCHEDULABLE, "NoSchedule", unschedulable)
    return changed
