"""Rows of the volumes panel (PVCs with the pod using them, then PVs) and the events panel."""

from __future__ import annotations

from datetime import datetime

from engine.objects import Obj, name_of, namespace_of
from engine.store import Store
from tui.format import Cell, Styled, age, natural_key, seconds_since, short_uid_name, symbolled
from tui.rows import Line, ref_of

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
        for vol in (pod.get("spec") or {}).get("volumes") or []:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                users.setdefault((namespace_of(pod), claim), []).append(name_of(pod))
    return users


def volume_lines(store: Store, namespace: str | None, now: datetime) -> list[Line]:
    """PVCs (sorted by name, ordinal-aware), then PVs."""
    users = claim_users(store, namespace)
    lines: list[Line] = []
    claims = sorted(
        store.list("PersistentVolumeClaim", namespace),
        key=lambda c: (namespace_of(c), natural_key(name_of(c))),
    )
    for pvc in claims:
        spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
        pods = users.get((namespace_of(pvc), name_of(pvc)), [])
        cells: tuple[Cell, ...] = (
            f"pvc/{name_of(pvc)}",
            _phase_cell(pvc),
            short_uid_name(spec.get("volumeName") or "") or Styled("-", "dim"),
            (status.get("capacity") or {}).get("storage", ""),
            ",".join(pods) or Styled("-", "dim"),
            age(pvc["metadata"].get("creationTimestamp"), now),
        )
        lines.append(Line(f"PVC/{namespace_of(pvc)}/{name_of(pvc)}", ref_of(pvc), cells))
    for pv in sorted(store.list("PersistentVolume"), key=_pv_sort_key):
        lines.append(_pv_line(pv, now))
    return lines


def _pv_sort_key(pv: Obj) -> tuple[object, ...]:
    claim = (pv.get("spec") or {}).get("claimRef") or {}
    return (natural_key(claim.get("name", "")), name_of(pv))


def _pv_line(pv: Obj, now: datetime) -> Line:
    spec = pv.get("spec") or {}
    claim = spec.get("claimRef") or {}
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "-"
    cells: tuple[Cell, ...] = (
        f"pv/{short_uid_name(name_of(pv))}",
        _phase_cell(pv),
        claim_text,
        (spec.get("capacity") or {}).get("storage", ""),
        "",
        age(pv["metadata"].get("creationTimestamp"), now),
    )
    return Line(f"PV//{name_of(pv)}", ref_of(pv), cells)


def _event_time(ev: Obj) -> str:
    return str(
        ev.get("lastTimestamp")
        or ev.get("eventTime")
        or ev.get("firstTimestamp")
        or ev["metadata"].get("creationTimestamp", "")
    )


def event_lines(store: Store, namespace: str | None, now: datetime) -> list[Line]:
    """Events, newest first, kubectl's columns (LAST SEEN TYPE REASON OBJECT MESSAGE)."""
    events = sorted(
        store.list("Event", namespace),
        key=lambda e: (_event_time(e), e["metadata"].get("resourceVersion", "").zfill(12)),
        reverse=True,
    )[:EVENT_LIMIT]
    lines = []
    for ev in events:
        inv = ev.get("involvedObject") or {}
        warning = ev.get("type") == "Warning"
        since = seconds_since(_event_time(ev), now)
        count = int(ev.get("count") or 1)
        seen = age(_event_time(ev), now)
        if count > 1 and since is not None:
            seen += f" (x{count})"
        cells: tuple[Cell, ...] = (
            seen,
            Styled("⚠ Warning", "warn") if warning else Styled("Normal", "dim"),
            ev.get("reason", ""),
            f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}",
            str(ev.get("message", "")).replace("\n", " "),
        )
        lines.append(Line(f"Event/{namespace_of(ev)}/{name_of(ev)}", ref_of(ev), cells))
    return lines
