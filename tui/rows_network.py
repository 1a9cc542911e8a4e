"""Rows of the services panel: each Service, then its live endpoints (ready vs not ready).

Endpoints come from the Service's EndpointSlices (label ``kubernetes.io/service-name``), which
carry ready/serving/terminating conditions; a cluster without slices falls back to the legacy
Endpoints object (``addresses`` vs ``notReadyAddresses``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.objects import Obj, name_of, namespace_of
from engine.store import Store
from tui.format import Cell, Styled, age, natural_key, symbolled
from tui.rows import Line, Ref, ref_of

SERVICE_COLUMNS = ("NAME", "TYPE", "CLUSTER-IP", "PORT(S)", "AGE")


def ports_text(svc: Obj) -> str:
    """PORT(S) as kubectl prints it: ``80/TCP``, ``80:30080/TCP``, ``<none>``."""
    parts = []
    for p in (svc.get("spec") or {}).get("ports") or []:
        proto = p.get("protocol", "TCP")
        node = p.get("nodePort")
        parts.append(f"{p['port']}:{node}/{proto}" if node else f"{p['port']}/{proto}")
    return ",".join(parts) or "<none>"


def service_lines(store: Store, namespace: str | None, now: datetime) -> list[Line]:
    """Services (sorted), each followed by its endpoints."""
    lines: list[Line] = []
    services = sorted(store.list("Service", namespace), key=lambda s: (namespace_of(s), name_of(s)))
    for svc in services:
        lines.append(_service_line(svc, now))
        lines.extend(_endpoint_lines(store, svc))
    return lines


def _service_line(svc: Obj, now: datetime) -> Line:
    spec = svc.get("spec") or {}
    cluster_ip = spec.get("clusterIP") or "<none>"
    headless = cluster_ip == "None"
    cells: tuple[Cell, ...] = (
        name_of(svc),
        str(spec.get("type", "ClusterIP")) + (" (headless)" if headless else ""),
        Styled(cluster_ip, "accent") if headless else cluster_ip,
        ports_text(svc),
        age(svc["metadata"].get("creationTimestamp"), now),
    )
    key = f"Service/{namespace_of(svc)}/{name_of(svc)}"
    return Line(key, ref_of(svc), cells, svc["metadata"].get("creationTimestamp"))


def _endpoint_lines(store: Store, svc: Obj) -> list[Line]:
    ns, name = namespace_of(svc), name_of(svc)
    entries = _from_slices(store, ns, name)
    if entries is None:
        entries = _from_endpoints(store, ns, name)
    if not entries and (svc.get("spec") or {}).get("selector"):
        cell: tuple[Cell, ...] = ("  └ no endpoints", Styled("-", "dim"), "", "", "")
        return [Line(f"Service/{ns}/{name}/none", ref_of(svc), cell)]
    entries.sort(key=lambda e: (natural_key(e["pod"] or e["ip"]), e["ip"]))
    lines = []
    for i, e in enumerate(entries):
        branch = "└" if i == len(entries) - 1 else "├"
        ref = Ref("Pod", ns, e["pod"]) if e["pod"] else ref_of(svc)
        cells: tuple[Cell, ...] = (
            f"  {branch} {e['pod'] or e['ip']}",
            _condition_cell(e),
            e["ip"],
            e["ports"],
            "",
        )
        lines.append(Line(f"Service/{ns}/{name}/ep/{e['ip']}", ref, cells))
    return lines


def _condition_cell(entry: dict[str, Any]) -> Styled:
    if entry["terminating"]:
        return symbolled("term", "terminating")
    if entry["ready"]:
        return symbolled("ok", "ready")
    return symbolled("warn", "not ready")


def _from_slices(store: Store, ns: str, name: str) -> list[dict[str, Any]] | None:
    slices = [
        s
        for s in store.list("EndpointSlice", ns)
        if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name
    ]
    if not slices:
        return None
    entries = []
    for sl in slices:
        ports = ",".join(str(p.get("port", "")) for p in sl.get("ports") or [] if p.get("port"))
        for ep in sl.get("endpoints") or []:
            cond = ep.get("conditions") or {}
            target = ep.get("targetRef") or {}
            for ip in ep.get("addresses") or []:
                entries.append(
                    {
                        "ip": ip,
                        "pod": target.get("name", "") if target.get("kind") == "Pod" else "",
                        "ready": cond.get("ready", True) is not False,
                        "terminating": bool(cond.get("terminating")),
                        "ports": ports,
                    }
                )
    return entries


def _from_endpoints(store: Store, ns: str, name: str) -> list[dict[str, Any]]:
    ep_obj = store.get("Endpoints", ns, name)
    entries: list[dict[str, Any]] = []
    if ep_obj is None:
        return entries
    for subset in ep_obj.get("subsets") or []:
        ports = ",".join(str(p.get("port", "")) for p in subset.get("ports") or [])
        for field, ready in (("addresses", True), ("notReadyAddresses", False)):
            for addr in subset.get(field) or []:
                target = addr.get("targetRef") or {}
                entries.append(
                    {
                        "ip": addr.get("ip", ""),
                        "pod": target.get("name", "") if target.get("kind") == "Pod" else "",
                        "ready": ready,
                        "terminating": False,
                        "ports": ports,
                    }
                )
    return entries
