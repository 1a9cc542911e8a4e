"""``kubectl describe`` for Services, Endpoints, EndpointSlices, PVCs, PVs and Nodes
(pkg/describe/describe.go)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.kubectl.describe import events_for
from engine.kubectl.describe_util import Writer
from engine.kubectl.tables import access_modes
from engine.objects import Obj
from engine.selectors import format_map

if TYPE_CHECKING:
    from engine.cluster import Cluster


def _slice_endpoints(slices: list[Obj], port_name: str) -> str:
    """formatEndpointSlices for one service port: ready ``ip:port``, at most 3, then
    `` + N more...`` — including kubectl's quirk of ``+ 0 more...`` when the fourth endpoint
    seen is not ready."""
    if not slices:
        return "<none>"
    items: list[str] = []
    more = False
    count = 0
    for eps in slices:
        ports = eps.get("ports") or []
        wanted = [None] if not ports else [p for p in ports if (p.get("name") or "") == port_name]
        for port in wanted:
            for e in eps.get("endpoints") or []:
                if len(items) == 3:
                    more = True
                if (e.get("conditions") or {}).get("ready") is False or not e.get("addresses"):
                    continue
                if not more:
                    addr = e["addresses"][0]
                    items.append(addr if port is None else f"{addr}:{port.get('port')}")
                count += 1
    text = ",".join(items)
    return f"{text} + {count - 3} more..." if more else text


def describe_service(cluster: Cluster, svc: Obj) -> str:
    """describeService."""
    w = Writer(cluster.clock)
    md, spec = svc["metadata"], svc.get("spec") or {}
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    selector = spec.get("selector") or {}
    w.write(0, f"Selector:\t{','.join(f'{k}={v}' for k, v in sorted(selector.items()))}\n")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    slices = [
        s
        for s in cluster.store.list("EndpointSlice", md.get("namespace"))
        if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == md["name"]
    ]
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        proto = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port')}/{proto}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port'))}/{proto}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{_slice_endpoints(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    w.events(events_for(cluster, svc))
    return w.text()


def describe_endpoints(cluster: Cluster, ep: Obj) -> str:
    """describeEndpoints."""
    w = Writer(cluster.clock)
    md = ep["metadata"]
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        ports = subset.get("ports") or []
        if ports:
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ports:
                w.write(
                    2,
                    f"{p.get('name') or '<unset>'}\t{p.get('port')}\t{p.get('protocol', 'TCP')}\n",
                )
        w.write(0, "\n")
    w.events(events_for(cluster, ep))
    return w.text()


def describe_endpointslice(cluster: Cluster, eps: Obj) -> str:
    """describeEndpointSliceV1."""
    w = Writer(cluster.clock)
    md = eps["metadata"]
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    w.write(0, f"AddressType:\t{eps.get('addressType', 'IPv4')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for p in ports:
            port = p.get("port")
            w.write(1, f"{p.get('name') or '<unset>'}\t{'<unset>' if port is None else port}\t")
            w.write(0, f"{p.get('protocol', 'TCP')}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for e in endpoints:
            w.write(1, f"- Addresses:\t{', '.join(e.get('addresses') or []) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (e.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else str(ready).lower()}\n")
            w.write(2, f"Hostname:\t{e.get('hostname') or '<unset>'}\n")
            ref = e.get("targetRef")
            if ref:
                w.write(2, f"TargetRef:\t{ref.get('kind')}/{ref.get('name')}\n")
            w.write(2, f"NodeName:\t{e.get('nodeName') or '<unset>'}\n")
            w.write(2, f"Zone:\t{e.get('zone') or '<unset>'}\n")
    w.events(events_for(cluster, eps))
    return w.text()


def _finalizers(obj: Obj) -> str:
    return "[" + " ".join(obj["metadata"].get("finalizers") or []) + "]"


def describe_pvc(cluster: Cluster, pvc: Obj) -> str:
    """describePersistentVolumeClaim (with the pods using it)."""
    w = Writer(cluster.clock)
    md, spec = pvc["metadata"], pvc.get("spec") or {}
    status: dict[str, Any] = pvc.get("status") or {}
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
    if md.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {w.since(md['deletionTimestamp'])})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(pvc)}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        capacity = str((status.get("capacity") or {}).get("storage", ""))
        modes = access_modes(status.get("accessModes"))
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    users = [
        p["metadata"]["name"]
        for p in cluster.store.list("Pod", md.get("namespace"))
        for v in (p.get("spec") or {}).get("volumes") or []
        if (v.get("persistentVolumeClaim") or {}).get("claimName") == md["name"]
    ]
    w.write(0, "Used By:\t")
    if not users:
        w.line("<none>")
    for i, name in enumerate(sorted(users)):
        w.write(0, f"{chr(9) if i else ''}{name}\n")
    w.timed_conditions(status.get("conditions"), "lastProbeTime", "LastProbeTime")
    w.events(events_for(cluster, pvc))
    return w.text()


def describe_pv(cluster: Cluster, pv: Obj) -> str:
    """describePersistentVolume."""
    w = Writer(cluster.clock)
    md, spec = pv["metadata"], pv.get("spec") or {}
    status: dict[str, Any] = pv.get("status") or {}
    w.write(0, f"Name:\t{md['name']}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(pv)}\n")
    w.write(0, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
    if md.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {w.since(md['deletionTimestamp'])})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    w.write(0, f"Claim:\t{claim}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '')}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    w.write(0, "Source:\n")
    _pv_source(w, spec)
    w.events(events_for(cluster, pv))
    return w.text()


def _node_affinity(w: Writer, affinity: dict[str, Any] | None) -> None:
    w.write(0, "Node Affinity:\t")
    required = (affinity or {}).get("required")
    if not required:
        w.line("<none>")
        return
    w.line("")
    terms = required.get("nodeSelectorTerms") or []
    w.write(1, "Required Terms:\t")
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        w.write(2, f"Term {i}:\t")
        exprs = term.get("matchExpressions") or []
        if not exprs:
            w.line("<none>")
        for j, req in enumerate(exprs):
            if j:
                w.write(2, "\t")
            text = f"{req.get('key')} {str(req.get('operator', '')).lower()}"
            if req.get("values"):
                text += f" [{', '.join(req['values'])}]"
            w.write(0, f"{text}\n")


def _pv_source(w: Writer, spec: dict[str, Any]) -> None:
    if spec.get("hostPath"):
        h = spec["hostPath"]
        w.write(
            2,
            "Type:\tHostPath (bare host directory volume)\n"
            f"    Path:\t{h.get('path', '')}\n"
            f"    HostPathType:\t{h.get('type') or '<none>'}\n",
        )
    elif spec.get("local"):
        w.write(
            2,
            "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
            f"    Path:\t{spec['local'].get('path', '')}\n",
        )
    elif spec.get("csi"):
        c = spec["csi"]
        w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n")
        w.write(2, f"Driver:\t{c.get('driver', '')}\n")
        w.write(2, f"FSType:\t{c.get('fsType', '')}\n")
        w.write(2, f"VolumeHandle:\t{c.get('volumeHandle', '')}\n")
        w.write(2, f"ReadOnly:\t{'true' if c.get('readOnly') else 'false'}\n")
        w.labels("VolumeAttributes", c.get("volumeAttributes"), indent="    ")
    else:
        w.write(1, "<unknown>\n")


def describe_namespace(cluster: Cluster, ns: Obj) -> str:
    """describeNamespace (no quotas or limit ranges exist in the playground)."""
    w = Writer(cluster.clock)
    md = ns["metadata"]
    w.write(0, f"Name:\t{md['name']}\n")
    w.labels("Labels", md.get("labels"))
    w.annotations("Annotations", md.get("annotations"))
    phase = "Terminating" if md.get("deletionTimestamp") else "Active"
    w.write(0, f"Status:\t{(ns.get('status') or {}).get('phase') or phase}\n")
    conditions = (ns.get("status") or {}).get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t")
            w.write(0, f"{w.rfc1123z(c.get('lastTransitionTime'))}\t{c.get('reason', '')}\t")
            w.write(0, f"{c.get('message', '')}\n")
    w.write(0, "\nNo resource quota.\n\nNo LimitRange resource.\n")
    return w.text()


def describe_storageclass(cluster: Cluster, sc: Obj) -> str:
    """describeStorageClass."""
    w = Writer(cluster.clock)
    md = sc["metadata"]
    ann = md.get("annotations") or {}
    default = ann.get("storageclass.kubernetes.io/is-default-class") == "true"
    w.write(0, f"Name:\t{md['name']}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    w.write(0, f"Annotations:\t{format_map(ann)}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_map(sc.get('parameters'))}\n")
    expand = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expand is None else str(bool(expand))}\n")
    options = sc.get("mountOptions") or []
    w.write(0, f"MountOptions:\t{', '.join(options) if options else '<none>'}\n")
    w.write(0, f"ReclaimPolicy:\t{sc.get('reclaimPolicy', 'Delete')}\n")
    w.write(0, f"VolumeBindingMode:\t{sc.get('volumeBindingMode', 'Immediate')}\n")
    w.events(events_for(cluster, sc))
    return w.text()
