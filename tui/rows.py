"""Rows for each panel, computed from the store (pure; no Textual).

Each builder returns :class:`Line` values in display order. ``key`` identifies the row across
refreshes (so a table can update cells in place), ``ref`` is the object the row is about (the
target of describe, delete, scale …), ``cells`` what the row shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from engine.format import last_termination, pod_ready_column, pod_restarts_column
from engine.objects import Obj, controller_ref, get_path, name_of, namespace_of
from engine.store import Store
from tui.format import (
    Cell,
    Styled,
    age,
    natural_key,
    pod_status_cell,
    seconds_since,
    symbolled,
)


class Ref(NamedTuple):
    """The object a row is about."""

    kind: str
    namespace: str
    name: str


class Line(NamedTuple):
    """One table row: stable key, target object, cells."""

    key: str
    ref: Ref
    cells: tuple[Cell, ...]


def ref_of(obj: Obj) -> Ref:
    """The :class:`Ref` of a stored object."""
    return Ref(obj["kind"], namespace_of(obj), name_of(obj))


# -- workloads -------------------------------------------------------------------------------
WORKLOAD_COLUMNS = ("NAME", "READY", "POLICY", "REVISION", "AGE")


def workload_lines(store: Store, namespace: str | None, now: datetime) -> list[Line]:
    """StatefulSets then Deployments: ready/desired, policy, revision."""
    lines = [_sts_line(s, now) for s in _sorted(store.list("StatefulSet", namespace))]
    lines += [_deploy_line(d, now) for d in _sorted(store.list("Deployment", namespace))]
    return lines


def _ready_cell(ready: int, desired: int, terminating: bool) -> Styled:
    text = f"{ready}/{desired}"
    if terminating:
        return symbolled("term", text)
    return symbolled("ok" if ready == desired else "warn", text)


def _sts_line(sts: Obj, now: datetime) -> Line:
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    desired = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas", 0))
    current = _rev_hash(status.get("currentRevision", ""))
    update = _rev_hash(status.get("updateRevision", ""))
    revision = current if current == update else f"{current}→{update}"
    cells: tuple[Cell, ...] = (
        f"sts/{name_of(sts)}",
        _ready_cell(ready, desired, bool(sts["metadata"].get("deletionTimestamp"))),
        str(spec.get("podManagementPolicy", "OrderedReady")),
        revision or "-",
        age(sts["metadata"].get("creationTimestamp"), now),
    )
    return Line(f"StatefulSet/{namespace_of(sts)}/{name_of(sts)}", ref_of(sts), cells)


def _deploy_line(dep: Obj, now: datetime) -> Line:
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    desired = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas", 0))
    revision = (dep["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
    cells: tuple[Cell, ...] = (
        f"deploy/{name_of(dep)}",
        _ready_cell(ready, desired, bool(dep["metadata"].get("deletionTimestamp"))),
        str(get_path(dep, "spec.strategy.type", "RollingUpdate")),
        revision or "-",
        age(dep["metadata"].get("creationTimestamp"), now),
    )
    return Line(f"Deployment/{namespace_of(dep)}/{name_of(dep)}", ref_of(dep), cells)


def _rev_hash(revision: str) -> str:
    return revision.rsplit("-", 1)[-1] if revision else ""


# -- pods ------------------------------------------------------------------------------------
POD_COLUMNS = ("NAME", "READY", "STATUS", "RESTARTS", "IP", "NODE", "AGE", "OWNER")


def owner_text(obj: Obj) -> str:
    """``sts/web``, ``rs/api-7d9f``, or ``-`` for a bare pod."""
    ref = controller_ref(obj)
    if ref is None:
        return "-"
    short = {"StatefulSet": "sts", "ReplicaSet": "rs", "Deployment": "deploy"}
    return f"{short.get(ref['kind'], ref['kind'].lower())}/{ref['name']}"


def pod_sort_key(pod: Obj) -> tuple[object, ...]:
    """Grouped by owner, then in ordinal order."""
    return (owner_text(pod), natural_key(name_of(pod)))


def pod_line(pod: Obj, now: datetime) -> Line:
    """One pod row."""
    status = pod.get("status") or {}
    restarts = pod_restarts_column(pod, "", seconds_since(last_termination(pod), now))
    cells: tuple[Cell, ...] = (
        name_of(pod),
        pod_ready_column(pod),
        pod_status_cell(pod),
        restarts,
        status.get("podIP") or "<none>",
        (pod.get("spec") or {}).get("nodeName") or "<none>",
        age(pod["metadata"].get("creationTimestamp"), now),
        owner_text(pod),
    )
    return Line(f"Pod/{namespace_of(pod)}/{name_of(pod)}", ref_of(pod), cells)


def pod_lines(store: Store, namespace: str | None, now: datetime) -> list[Line]:
    """Every pod, grouped by owner."""
    pods = sorted(store.list("Pod", namespace), key=pod_sort_key)
    return [pod_line(p, now) for p in pods]


def _sorted(objs: Iterable[Obj]) -> list[Obj]:
    return sorted(objs, key=lambda o: (namespace_of(o), natural_key(name_of(o))))
