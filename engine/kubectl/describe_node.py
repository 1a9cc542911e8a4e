"""``kubectl describe node`` (describeNode, describeNodeResource)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.kubectl.describe import events_for
from engine.kubectl.describe_util import Writer
from engine.kubectl.tables import node_roles
from engine.objects import Obj
from engine.quantity import ZERO, Quantity, lenient, percent

if TYPE_CHECKING:
    from engine.cluster import Cluster

_RESOURCE_ORDER = ("cpu", "memory", "ephemeral-storage", "pods")


def _sorted_resources(resources: dict[str, Any]) -> list[str]:
    known = [r for r in _RESOURCE_ORDER if r in resources]
    return known + sorted(r for r in resources if r not in _RESOURCE_ORDER)


def describe_node(cluster: Cluster, node: Obj) -> str:
    """describeNode."""
    w = Writer(cluster.clock)
    md, spec = node["metadata"], node.get("spec") or {}
    status: dict[str, Any] = node.get("status") or {}
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Roles:\t{node_roles(node)}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{w.rfc1123z(md.get('creationTimestamp'))}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{md['name']}\n")
    w.write(1, "AcquireTime:\t<unset>\n")
    w.write(1, f"RenewTime:\t{w.rfc1123z(cluster.clock.timestamp())}\n")
    w.timed_conditions(status.get("conditions"), "lastHeartbeatTime", "LastHeartbeatTime")
    w.write(0, "Addresses:\n")
    for addr in status.get("addresses") or []:
        w.write(1, f"{addr.get('type')}:\t{addr.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = status.get(key) or {}
        if values:
            w.write(0, f"{title}:\n")
            for name in _sorted_resources(values):
                w.write(0, f"  {name}:\t{values[name]}\n")
    _system_info(w, status.get("nodeInfo") or {})
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    _pods(w, cluster, md["name"])
    w.events(events_for(cluster, node))
    return w.text()


def _taints(w: Writer, taints: list[dict[str, Any]]) -> None:
    """printNodeTaintsMultiline: sorted by effect then key, ``key[=value]:effect``."""
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, t in enumerate(ordered):
        if i:
            w.write(0, "\t")
        value = f"={t['value']}" if t.get("value") else ""
        w.write(0, f"{t.get('key')}{value}:{t.get('effect')}\n")


def _system_info(w: Writer, info: dict[str, Any]) -> None:
    w.write(0, "System Info:\n")
    for title, key in (
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")


_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def pod_totals(pod: Obj) -> dict[str, Quantity]:
    """Sum of the containers' requests and limits: ``requests.cpu``, ``limits.memory`` …"""
    totals: dict[str, Quantity] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        resources = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for name, value in (resources.get(kind) or {}).items():
                key = f"{kind}.{name}"
                totals[key] = totals.get(key, ZERO) + lenient(value)
    return totals


def _cell(value: Quantity, allocatable: Quantity) -> str:
    return f"{value} ({percent(value, allocatable)}%)"


def _pods(w: Writer, cluster: Cluster, node_name: str) -> None:
    pods = sorted(
        (
            p
            for p in cluster.store.list("Pod")
            if (p.get("spec") or {}).get("nodeName") == node_name
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ),
        key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]),
    )
    node = cluster.store.must_get("Node", "", node_name)
    alloc = {
        k: lenient(v) for k, v in ((node.get("status") or {}).get("allocatable") or {}).items()
    }
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    sums: dict[str, Quantity] = {}
    for p in pods:
        totals = pod_totals(p)
        for key, value in totals.items():
            sums[key] = sums.get(key, ZERO) + value
        cells = [
            _cell(totals.get(f"{kind}.{name}", ZERO), alloc.get(name, ZERO))
            for name in ("cpu", "memory")
            for kind in ("requests", "limits")
        ]
        age = w.since(p["metadata"].get("creationTimestamp"))
        w.write(1, f"{p['metadata'].get('namespace')}\t{p['metadata']['name']}\t\t")
        w.write(0, "\t".join(cells) + f"\t{age}\n")
    w.write(
        0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
    )
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name in _RESOURCES:
        whole = alloc.get(name, ZERO)
        requests = _cell(sums.get(f"requests.{name}", ZERO), whole)
        limits = _cell(sums.get(f"limits.{name}", ZERO), whole)
        w.write(1, f"{name}\t{requests}\t{limits}\n")
