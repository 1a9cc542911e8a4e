"""``kubectl describe`` for workloads: pods, StatefulSets (k8s-semantics §7.4), Deployments,
ReplicaSets. Services, Endpoints, volumes and nodes are in :mod:`describe_infra`.

Every describer returns the aligned text; events are the object's own (matched by uid), oldest
first, as ``DescribeEvents`` prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.kubectl.describe_util import (
    Writer,
    controlled_by,
    describe_containers,
    describe_volumes,
    pod_status_counts,
    pod_template,
    tolerations,
)
from engine.kubectl.env import api_order
from engine.objects import Obj, controller_ref, uid_of
from engine.selectors import format_label_selector

if TYPE_CHECKING:
    from engine.cluster import Cluster


def events_for(cluster: Cluster, obj: Obj) -> list[Obj]:
    """Events whose involvedObject is ``obj`` (by uid; nodes also by name)."""
    uid = uid_of(obj)
    name = obj["metadata"]["name"]
    ns = obj["metadata"].get("namespace")
    found = []
    for ev in cluster.store.list("Event", ns):
        inv = ev.get("involvedObject") or {}
        if inv.get("uid") == uid or (obj["kind"] == "Node" and inv.get("uid") == name):
            found.append(ev)
    return sorted(found, key=api_order)


def owned_pods(cluster: Cluster, owner: Obj) -> list[Obj]:
    """Pods whose controller is ``owner``."""
    return [
        p
        for p in cluster.store.list("Pod", owner["metadata"].get("namespace"))
        if (controller_ref(p) or {}).get("uid") == uid_of(owner)
    ]


def _header(w: Writer, obj: Obj, with_created: bool = True) -> None:
    md = obj["metadata"]
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    if with_created:
        w.write(0, f"CreationTimestamp:\t{w.rfc1123z(md.get('creationTimestamp'))}\n")


def describe_statefulset(cluster: Cluster, sts: Obj) -> str:
    """describeStatefulSet, in the order of k8s-semantics §7.4."""
    w = Writer(cluster.clock)
    spec: dict[str, Any] = sts.get("spec") or {}
    status: dict[str, Any] = sts.get("status") or {}
    _header(w, sts)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.labels("Labels", sts["metadata"].get("labels"))
    w.annotations("Annotations", sts["metadata"].get("annotations"))
    if spec.get("serviceName"):
        w.write(0, f"Service Name:\t{spec['serviceName']}\n")
    if spec.get("podManagementPolicy"):
        w.write(0, f"Pod Management Policy:\t{spec['podManagementPolicy']}\n")
    w.write(
        0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('replicas', 0)} total\n"
    )
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', 'RollingUpdate')}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling and rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if retention:
        w.write(0, "Persistent Volume Claim Retention Policy:\n")
        w.write(1, f"WhenDeleted:\t{retention.get('whenDeleted', 'Retain')}\n")
        w.write(1, f"WhenScaled:\t{retention.get('whenScaled', 'Retain')}\n")
    w.write(0, f"Pods Status:\t{pod_status_counts(owned_pods(cluster, sts))}\n")
    pod_template(w, spec.get("template") or {})
    _volume_claims(w, spec.get("volumeClaimTemplates") or [])
    w.events(events_for(cluster, sts))
    return w.text()


def _volume_claims(w: Writer, templates: list[dict[str, Any]]) -> None:
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for pvc in templates:
        md = pvc.get("metadata") or {}
        spec = pvc.get("spec") or {}
        w.write(1, f"Name:\t{md.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
        w.labels("Labels", md.get("labels"), indent="  ")
        w.labels("Annotations", md.get("annotations"), indent="  ")
        capacity = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        w.write(1, f"Capacity:\t{capacity or '<default>'}\n")
        w.write(1, f"Access Modes:\t[{' '.join(spec.get('accessModes') or [])}]\n")


def qos_class(pod: Obj) -> str:
    """GetPodQOS: BestEffort / Guaranteed / Burstable."""
    containers = (pod.get("spec") or {}).get("containers") or []
    requests: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    for c in containers:
        res = c.get("resources") or {}
        requests.append(res.get("requests") or {})
        limits.append(res.get("limits") or {})
    if not any(requests) and not any(limits):
        return "BestEffort"
    guaranteed = all(
        lim.get(r) is not None and (req.get(r) in (None, lim.get(r)))
        for req, lim in zip(requests, limits, strict=True)
        for r in ("cpu", "memory")
    )
    return "Guaranteed" if guaranteed else "Burstable"


def describe_pod(cluster: Cluster, pod: Obj) -> str:
    """describePod."""
    w = Writer(cluster.clock)
    md, spec = pod["metadata"], pod.get("spec") or {}
    status: dict[str, Any] = pod.get("status") or {}
    _header(w, pod, with_created=False)
    w.write(0, f"Priority:\t{spec.get('priority', 0)}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    w.write(0, f"Service Account:\t{spec.get('serviceAccountName') or 'default'}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{w.rfc1123z(status['startTime'])}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    phase = status.get("phase", "")
    if md.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {w.since(md['deletionTimestamp'])})\n")
        w.write(0, f"Termination Grace Period:\t{md.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    for key, title in (("reason", "Reason"), ("message", "Message")):
        if status.get(key):
            w.write(0, f"{title}:\t{status[key]}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    owner = controlled_by(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        describe_containers(
            w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses")
        )
    describe_containers(
        w, "Containers", spec.get("containers") or [], status.get("containerStatuses") or []
    )
    _readiness_gates(w, spec.get("readinessGates") or [], status.get("conditions") or [])
    _pod_conditions(w, status.get("conditions") or [])
    describe_volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    w.labels("Node-Selectors", spec.get("nodeSelector"))
    tolerations(w, "Tolerations", spec.get("tolerations"))
    w.events(events_for(cluster, pod))
    return w.text()


def _readiness_gates(
    w: Writer, gates: list[dict[str, Any]], conditions: list[dict[str, Any]]
) -> None:
    """``Readiness Gates:``: each gate's condition status, ``<none>`` while it has none."""
    if not gates:
        return
    w.write(0, "Readiness Gates:\n  Type\tStatus\n")
    for gate in gates:
        ctype = gate.get("conditionType")
        found = next((c for c in conditions if c.get("type") == ctype), None)
        w.write(1, f"{ctype} \t{'<none>' if found is None else found.get('status')} \n")


def _pod_conditions(w: Writer, conditions: list[dict[str, Any]]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\n")
    for c in conditions:
        w.write(1, f"{c.get('type')} \t{c.get('status')} \n")


def _replicasets_text(sets: list[Obj]) -> str:
    if not sets:
        return "<none>"
    return ", ".join(
        f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
        f"{(rs.get('spec') or {}).get('replicas', 0)} replicas created)"
        for rs in sets
    )


def _strip_hash(template: dict[str, Any]) -> dict[str, Any]:
    md = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (md.get("labels") or {}).items() if k != "pod-template-hash"}
    md["labels"] = labels
    return {**template, "metadata": md}


def describe_deployment(cluster: Cluster, dep: Obj) -> str:
    """describeDeployment."""
    w = Writer(cluster.clock)
    spec: dict[str, Any] = dep.get("spec") or {}
    status: dict[str, Any] = dep.get("status") or {}
    _header(w, dep)
    w.labels("Labels", dep["metadata"].get("labels"))
    w.annotations("Annotations", dep["metadata"].get("annotations"))
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} "
        f"updated | {status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} "
        f"available | {status.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling:
        w.write(
            0,
            f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '25%')} max unavailable, "
            f"{rolling.get('maxSurge', '25%')} max surge\n",
        )
    pod_template(w, spec.get("template") or {})
    w.workload_conditions(status.get("conditions"))
    owned = [
        rs
        for rs in cluster.store.list("ReplicaSet", dep["metadata"].get("namespace"))
        if (controller_ref(rs) or {}).get("uid") == uid_of(dep)
    ]
    want = _strip_hash(spec.get("template") or {})
    new = [rs for rs in owned if _strip_hash((rs.get("spec") or {}).get("template") or {}) == want]
    old = [rs for rs in owned if rs not in new]
    if owned:
        w.write(0, f"OldReplicaSets:\t{_replicasets_text(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replicasets_text(new)}\n")
    w.events(events_for(cluster, dep))
    return w.text()


def describe_replicaset(cluster: Cluster, rs: Obj) -> str:
    """describeReplicaSet."""
    w = Writer(cluster.clock)
    spec: dict[str, Any] = rs.get("spec") or {}
    _header(w, rs, with_created=False)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.labels("Labels", rs["metadata"].get("labels"))
    w.annotations("Annotations", rs["metadata"].get("annotations"))
    owner = controlled_by(rs)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    current = (rs.get("status") or {}).get("replicas", 0)
    w.write(0, f"Replicas:\t{current} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{pod_status_counts(owned_pods(cluster, rs))}\n")
    pod_template(w, spec.get("template") or {})
    w.workload_conditions((rs.get("status") or {}).get("conditions"))
    w.events(events_for(cluster, rs))
    return w.text()
