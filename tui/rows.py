"""Rows for each panel, computed from the store (pure; no Textual).

Each builder returns :class:`Line` values in display order. ``key`` identifies the row across
refreshes (so a table can update cells in place), ``ref`` is the object the row is about (the
target of describe, delete, scale …), ``cells`` what the row shows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from engine.format import last_termination, pod_ready_column, pod_restarts_column
from engine.objects import Obj, controller_ref, get_path, name_of, namespace_of
from engine.pod_runtime import KUBELET_ANNOTATION
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
    """One table row: stable key, target object, cells.

    ``stamp`` is the RFC 3339 time the AGE / LAST SEEN cell counts from; tables recompute that
    cell from it as the clock moves, so a line can be reused while its object is unchanged.
    """

    key: str
    ref: Ref
    cells: tuple[Cell, ...]
    stamp: str | None = None


T = TypeVar("T")


class Memo:
    """Per-object memo of built rows: rebuild only objects whose version changed.

    A panel keeps one; :meth:`get` returns the value built for ``key`` at ``version`` (the
    object's resourceVersion, plus anything else the row depends on), and :meth:`sweep`
    forgets keys not asked for since the previous sweep (deleted objects).
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[Hashable, Any]] = {}
        self._seen: set[Hashable] = set()

    def get(self, key: Hashable, version: Hashable, build: Callable[[], T]) -> T:
        """The memoised ``build()`` for ``key`` at ``version``."""
        self._seen.add(key)
        hit = self._values.get(key)
        if hit is not None and hit[0] == version:
            value: T = hit[1]
            return value
        value = build()
        self._values[key] = (version, value)
        return value

    def sweep(self) -> None:
        """Drop entries not used since the last sweep."""
        for key in self._values.keys() - self._seen:
            del self._values[key]
        self._seen = set()


def version_of(obj: Obj) -> str:
    """metadata.resourceVersion."""
    return str(obj["metadata"].get("resourceVersion", ""))


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
    key = f"StatefulSet/{namespace_of(sts)}/{name_of(sts)}"
    return Line(key, ref_of(sts), cells, sts["metadata"].get("creationTimestamp"))


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
    key = f"Deployment/{namespace_of(dep)}/{name_of(dep)}"
    return Line(key, ref_of(dep), cells, dep["metadata"].get("creationTimestamp"))


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


def stopped_nodes(store: Store) -> frozenset[str]:
    """Nodes whose kubelet the playground stopped (``n``)."""
    return frozenset(
        name_of(n)
        for n in store.list("Node")
        if (n["metadata"].get("annotations") or {}).get(KUBELET_ANNOTATION) == "stopped"
    )


def pod_line(pod: Obj, now: datetime, down: frozenset[str] = frozenset()) -> Line:
    """One pod row; a node in ``down`` is marked ✖ (its kubelet is stopped)."""
    meta, status = pod["metadata"], pod.get("status") or {}
    ns, name = meta.get("namespace", ""), meta["name"]
    node = (pod.get("spec") or {}).get("nodeName") or "<none>"
    restarts = pod_restarts_column(pod, "", seconds_since(last_termination(pod), now))
    stamp = meta.get("creationTimestamp")
    cells: tuple[Cell, ...] = (
        name,
        pod_ready_column(pod),
        pod_status_cell(pod),
        restarts,
        status.get("podIP") or "<none>",
        Styled(f"{node} ✖", "bad") if node in down else node,
        age(stamp, now),
        owner_text(pod),
    )
    return Line(f"Pod/{ns}/{name}", Ref("Pod", ns, name), cells, stamp)


def _pod_entry(pod: Obj, now: datetime, down: frozenset[str]) -> tuple[tuple[object, ...], Line]:
    line = pod_line(pod, now, down)
    return (line.cells[-1], natural_key(line.ref.name)), line  # pod_sort_key, owner reused


def pod_lines(
    store: Store, namespace: str | None, now: datetime, memo: Memo | None = None
) -> list[Line]:
    """Every pod, grouped by owner (rows of unchanged pods come from ``memo``)."""
    memo = memo or Memo()
    down = stopped_nodes(store)
    entries = []
    for pod in store.list("Pod", namespace):
        meta = pod["metadata"]
        node_down = bool(down) and (pod.get("spec") or {}).get("nodeName") in down
        version = (meta.get("resourceVersion", ""), node_down)
        key = ("Pod", meta.get("namespace", ""), meta["name"])
        entries.append(memo.get(key, version, partial(_pod_entry, pod, now, down)))
    entries.sort(key=itemgetter(0))
    memo.sweep()
    return [line for _, line in entries]


def _sorted(objs: Iterable[Obj]) -> list[Obj]:
    return sorted(objs, key=lambda o: (namespace_of(o), natural_key(name_of(o))))
