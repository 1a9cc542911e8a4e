"""Rows of the volumes panel (PVCs with the pod using them, then PVs) and the events panel."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from operator import itemgetter

from engine.objects import Obj, name_of, namespace_of
from engine.store import Store
from tui.format import Cell, Styled, age, natural_key, short_uid_name, symbolled
from tui.rows import Line, Memo, Ref, ref_of, version_of

SortKey = tuple[object, ...]

VOLUME_COLUMNS = ("NAME", "STATUS", "VOLUME / CLAIM", "CAPACITY", "USED BY", "AGE")
EVENT_COLUMNS = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")

#: the events panel keeps the newest this many (kubectl get events shows all; a panel cannot)
EVENT_LIMIT = 300

_PHASE_TAG = {
    "Bound": "ok",
    "Pending": "pending",
    "Available": "pending",
    "Released": "warn",
    "Lost": "bad",
    "Failed": "bad",
}


def _phase_cell(obj: Obj) -> Styled:
    if obj["metadata"].get("deletionTimestamp"):
        return symbolled("term", "Terminating")
    phase = (obj.get("status") or {}).get("phase") or "Pending"
    return symbolled(_PHASE_TAG.get(phase, "pending"), phase)


def claim_users(store: Store, namespace: str | None) -> dict[tuple[str, str], list[str]]:
    """(namespace, claim name) -> names of the pods whose volumes use that claim."""
    users: dict[tuple[str, str], list[str]] = {}
    for pod in store.list("Pod", namespace):
        meta = pod["metadata"]
        for vol in (pod.get("spec") or {}).get("volumes") or ():
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                users.setdefault((meta.get("namespace", ""), claim), []).append(meta["name"])
    return users


def volume_lines(
    store: Store, namespace: str | None, now: datetime, memo: Memo | None = None
) -> list[Line]:
    """PVCs (sorted by name, ordinal-aware), then PVs; unchanged rows come from ``memo``."""
    memo = memo or Memo()
    users = claim_users(store, namespace)
    claims = []
    for pvc in store.list("PersistentVolumeClaim", namespace):
        meta = pvc["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        pods = tuple(users.get((ns, name), ()))
        version = (meta.get("resourceVersion", ""), pods)
        claims.append(memo.get(("PVC", ns, name), version, partial(_pvc_entry, pvc, pods, now)))
    volumes = []
    for pv in store.list("PersistentVolume"):
        meta = pv["metadata"]
        key, version = ("PV", meta["name"]), meta.get("resourceVersion", "")
        volumes.append(memo.get(key, version, partial(_pv_entry, pv, now)))
    memo.sweep()
    claims.sort(key=itemgetter(0))
    volumes.sort(key=itemgetter(0))
    return [line for _, line in claims] + [line for _, line in volumes]


def _pvc_entry(pvc: Obj, pods: tuple[str, ...], now: datetime) -> tuple[SortKey, Line]:
    meta, spec, status = pvc["metadata"], pvc.get("spec") or {}, pvc.get("status") or {}
    ns, name = meta.get("namespace", ""), meta["name"]
    stamp = meta.get("creationTimestamp")
    cells: tuple[Cell, ...] = (
        f"pvc/{name}",
        _phase_cell(pvc),
        short_uid_name(spec.get("volumeName") or "") or Styled("-", "dim"),
        (status.get("capacity") or {}).get("storage", ""),
        ",".join(pods) or Styled("-", "dim"),
        age(stamp, now),
    )
    key = f"PVC/{ns}/{name}"
    line = Line(key, Ref("PersistentVolumeClaim", ns, name), cells, stamp)
    return (ns, natural_key(name), key), line


def _pv_entry(pv: Obj, now: datetime) -> tuple[SortKey, Line]:
    return (*_pv_sort_key(pv), name_of(pv)), _pv_line(pv, now)


def _pv_sort_key(pv: Obj) -> tuple[object, ...]:
    claim = (pv.get("spec") or {}).get("claimRef") or {}
    return (natural_key(claim.get("name", "")), name_of(pv))


def _pv_line(pv: Obj, now: datetime) -> Line:
    meta, spec = pv["metadata"], pv.get("spec") or {}
    name, stamp = meta["name"], meta.get("creationTimestamp")
    claim = spec.get("claimRef") or {}
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "-"
    cells: tuple[Cell, ...] = (
        f"pv/{short_uid_name(name)}",
        _phase_cell(pv),
        claim_text,
        (spec.get("capacity") or {}).get("storage", ""),
        "",
        age(stamp, now),
    )
    return Line(f"PV//{name}", Ref("PersistentVolume", "", name), cells, stamp)


def _event_time(ev: Obj) -> str:
    return str(
        ev.get("lastTimestamp")
        or ev.get("eventTime")
        or ev.get("firstTimestamp")
        or ev["metadata"].get("creationTimestamp", "")
    )


def event_lines(
    store: Store, namespace: str | None, now: datetime, memo: Memo | None = None
) -> list[Line]:
    """Events, newest first, kubectl's columns (LAST SEEN TYPE REASON OBJECT MESSAGE)."""
    memo = memo or Memo()
    events = sorted(
        store.list("Event", namespace),
        key=lambda e: (_event_time(e), version_of(e).zfill(12)),
        reverse=True,
    )[:EVENT_LIMIT]
    lines = [
        memo.get(
            ("Event", namespace_of(ev), name_of(ev)),
            version_of(ev),
            partial(_event_line, ev, now),
        )
        for ev in events
    ]
    memo.sweep()
    return lines


def _event_line(ev: Obj, now: datetime) -> Line:
    inv = ev.get("involvedObject") or {}
    warning = ev.get("type") == "Warning"
    cells: tuple[Cell, ...] = (
        age(_event_time(ev), now),
        Styled("⚠ Warning", "warn") if warning else Styled("Normal", "dim"),
        ev.get("reason", ""),
        f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}",
        str(ev.get("message", "")).replace("\n", " "),
    )
    key = f"Event/{namespace_of(ev)}/{name_of(ev)}"
    return Line(key, ref_of(ev), cells, _event_time(ev))
