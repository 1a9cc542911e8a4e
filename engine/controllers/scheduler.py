"""default-scheduler: binds pending pods to nodes (:mod:`engine.scheduling` is the algorithm).

A pod is pending while it has no ``spec.nodeName`` and no ``deletionTimestamp``. Like the real
scheduler's queueing hints, a pending pod is retried when something that could make it fit
changes: a node, a pod leaving a node (deleted or finished), a claim, volume or StorageClass.

Binding writes ``spec.nodeName`` and the ``PodScheduled=True`` condition and records
``Scheduled``; a failure writes ``PodScheduled=False`` (reason ``Unschedulable``) and records
``FailedScheduling`` with the scheduler's exact text. Pods with unbound WaitForFirstConsumer
claims are *assumed* on the chosen node: the claims get ``volume.kubernetes.io/selected-node``
and the pod is bound once the volume controller has bound them (the scheduler's PreBind wait).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from engine import scheduling
from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.node_ranking import NodeRanking, Rank
from engine.objects import Obj, controller_ref, name_of, namespace_of, thaw
from engine.store import WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

_TERMINAL = ("Succeeded", "Failed")
_RETRY_KINDS = ["Node", "PersistentVolumeClaim", "PersistentVolume", "StorageClass"]
#: store index: Pod → the node it takes a slot on (see :func:`_occupies`)
NODE_INDEX = "scheduler-occupied-node"
#: store index: Pod → ``<node>|<controller uid>`` (siblings per node, for scoring)
OWNER_INDEX = "scheduler-node-owner"


def _pending(pod: Obj) -> bool:
    spec = pod.get("spec") or {}
    if spec.get("nodeName") or pod["metadata"].get("deletionTimestamp"):
        return False
    return spec.get("schedulerName", "default-scheduler") in ("", "default-scheduler")


def _occupies(pod: Obj) -> str:
    """The node a pod takes a slot on ("" when none)."""
    status = pod.get("status")
    if status and status.get("phase") in _TERMINAL:
        return ""
    spec = pod.get("spec")
    node = spec.get("nodeName") if spec else None
    return str(node) if node else ""


def _occupied_nodes(pod: Obj) -> list[str]:
    node = _occupies(pod)
    return [node] if node else []


def _occupied_node_owners(pod: Obj) -> list[str]:
    node, ref = _occupies(pod), controller_ref(pod)
    return [f"{node}|{ref['uid']}"] if node and ref and ref.get("uid") else []


def _owner_changed(old: Obj | None, new: Obj) -> bool:
    """Whether the pod's controller owner (the siblings it counts for) changed."""
    if old is None:
        return True
    refs, old_refs = new["metadata"].get("ownerReferences"), old["metadata"].get("ownerReferences")
    if refs is old_refs:
        return False
    ref, old_ref = controller_ref(new), controller_ref(old)
    return (ref or {}).get("uid") != (old_ref or {}).get("uid")


class Scheduler(Controller):
    """The default scheduler."""

    name = "default-scheduler"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        #: pod key → (pod uid, node) for pods waiting on WaitForFirstConsumer provisioning
        self._assumed: dict[str, tuple[str, str]] = {}
        #: keys of the pending pods → a sequence number of when they became pending
        self._pending: dict[str, int] = {}
        self._seq = 0
        #: the pending keys not waiting in the queue: the only ones a retry has to add, so a
        #: retry after each of thousands of claim events costs what changed, not the backlog
        self._idle: dict[str, None] = {}
        self._node_facts: list[scheduling.NodeFacts] | None = None
        #: the nodes without taints and not cordoned, then the others (see _nodes)
        self._plain: list[scheduling.NodeFacts] = []
        self._special: list[scheduling.NodeFacts] = []
        self._ranking = NodeRanking()

    def setup(self) -> None:
        """Watch pods and everything a pending pod may be waiting for."""
        self.store.subscribe(self._on_pod, kinds=["Pod"])
        self.store.subscribe(self._forget_nodes, kinds=["Node"])
        self.store.subscribe(lambda _ev: self._retry_all(), kinds=_RETRY_KINDS)
        if not self.store.has_index("Pod", NODE_INDEX):
            self.store.add_index("Pod", NODE_INDEX, _occupied_nodes)
        if not self.store.has_index("Pod", OWNER_INDEX):
            self.store.add_index("Pod", OWNER_INDEX, _occupied_node_owners)

    # -- watch handlers ---------------------------------------------------------------------
    def _on_pod(self, ev: WatchEvent) -> None:
        pod, old = ev.obj, ev.old
        key = make_key(*ev.key)
        if ev.type != "DELETED" and _pending(pod):
            if key not in self._pending:
                self._seq += 1
                self._pending[key] = self._seq
                if key not in self.queue:
                    self._idle[key] = None
            if ev.type == "ADDED" or old is None or old.get("spec") != pod.get("spec"):
                self._enqueue_new(key)
            return
        was = _occupies(old) if old is not None else ""
        now = _occupies(pod)
        if was and (ev.type == "DELETED" or was != now or _owner_changed(old, pod)):
            self._ranking.reset()  # a node's counts went down: the heaps may sort wrongly
        if self._pending:
            self._pending.pop(key, None)
        if self._idle:
            self._idle.pop(key, None)
        freed = ev.type == "DELETED" and now
        finished = was and not now
        if freed or finished:
            self._retry_all()

    def _forget_nodes(self, _ev: WatchEvent) -> None:
        self._node_facts = None
        self._ranking.reset()

    def _enqueue_new(self, key: str) -> None:
        delay = self.cluster.timings.schedule
        if delay > 0:
            self.enqueue_after(key, delay)
        else:
            self.enqueue(key)

    def _retry_all(self) -> None:
        """Queue every pending pod not queued yet, in the order they became pending."""
        if self._idle:
            for key in sorted(self._idle, key=self._pending.__getitem__):
                self.enqueue(key)

    def enqueue(self, key: str) -> None:
        """Queue ``key`` (it is no longer idle)."""
        super().enqueue(key)
        self._idle.pop(key, None)

    # -- reconcile ------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Try to place one pending pod."""
        if key in self._pending and key not in self.queue:
            self._idle[key] = None  # taken off the queue: a retry must add it again
        namespace, name = split_key(key)
        pod = self.store.get("Pod", namespace, name)
        if pod is None or not _pending(pod):
            self._assumed.pop(key, None)
            return
        if self._finish_assumed(key, pod):
            return
        nodes = self._nodes()
        volumes = scheduling.volume_prefilter(self.store, pod)
        if volumes.error:
            self._fail(pod, scheduling.fit_error(len(nodes), {}, volumes.error))
            return
        fit = scheduling.PodFit(pod, volumes)
        best = self._quick_best(key, pod, fit)
        if best is None:
            best = self._scan_best(key, pod, fit, nodes)
            if best is None:
                return
        if volumes.delayed:
            self._assume(key, pod, best, volumes.delayed)
        else:
            self._bind(pod, best)

    def _quick_best(self, key: str, pod: Obj, fit: scheduling.PodFit) -> str | None:
        """The node :meth:`_scan_best` would pick, without trying every node, for a pod whose
        only Filter on a plain node is a free pod slot (see :mod:`node_ranking`); None when
        that does not apply or no node fits (the scan then writes the reasons)."""
        if fit.any_affinity or fit.requests_something or fit.volumes.pv_terms:
            return None
        if any(k != key for k in self._assumed):
            return None  # assumed pods count on their nodes: the scan knows them
        ref = controller_ref(pod)
        owner = str(ref.get("uid") or "") if ref else ""
        occupied = self.store.index_buckets("Pod", NODE_INDEX)
        owned = self.store.index_buckets("Pod", OWNER_INDEX)
        best: Rank | None = self._ranking.best(owner, occupied, owned)
        suffix = "|" + owner
        for facts in self._special:
            bucket = occupied.get(facts.name)
            on_node: Collection[Obj] = bucket.values() if bucket is not None else ()
            if not fit.check(facts, on_node):
                siblings = len(owned.get(facts.name + suffix, ())) if owner else 0
                rank = (siblings, len(on_node), facts.name)
                if best is None or rank < best:
                    best = rank
        return best[2] if best is not None else None

    def _scan_best(
        self, key: str, pod: Obj, fit: scheduling.PodFit, nodes: list[scheduling.NodeFacts]
    ) -> str | None:
        """Filter and Score over every node; None after writing the failure when none fits."""
        occupied = self.store.index_buckets("Pod", NODE_INDEX)
        assumed = self._assumed_by_node(exclude=key)
        reasons: dict[str, list[str]] = {}
        feasible: list[tuple[str, int]] = []  # (node, pods on it)
        for facts in nodes:
            bucket = occupied.get(facts.name)
            on_node: Collection[Obj] = bucket.values() if bucket is not None else ()
            if facts.name in assumed:
                on_node = [*on_node, *assumed[facts.name]]
            failed = fit.check(facts, on_node)
            if failed:
                reasons[facts.name] = failed
            else:
                feasible.append((facts.name, len(on_node)))
        if not feasible:
            self._fail(pod, scheduling.fit_error(len(nodes), reasons))
            return None
        siblings = self._siblings_by_node(pod, key)
        return min(feasible, key=lambda n: (siblings(n[0]), n[1], n[0]))[0]

    def _nodes(self) -> list[scheduling.NodeFacts]:
        """The Filter plugins' facts of every node, by name; kept until a Node changes."""
        if self._node_facts is None:
            nodes = sorted(self.store.list("Node"), key=name_of)
            self._node_facts = [scheduling.node_facts(n) for n in nodes]
            self._plain = [f for f in self._node_facts if not f.unschedulable and not f.taints]
            self._special = [f for f in self._node_facts if f.unschedulable or f.taints]
            self._ranking.reset(self._plain)
        return self._node_facts

    def _siblings_by_node(self, pod: Obj, exclude: str) -> Callable[[str], int]:
        """Per node, the pods of ``pod``'s owner on it (assumed ones included): the first
        part of :func:`engine.scheduling.score_key`, from an index instead of a scan."""
        ref = controller_ref(pod)
        owner = ref.get("uid") if ref else None
        if not owner:
            return lambda _node: 0
        assumed: dict[str, int] = {}
        for key, (_uid, node) in self._assumed.items():
            if key != exclude:
                ns, nm = split_key(key)
                other = self.store.get("Pod", ns, nm)
                if other is not None and (controller_ref(other) or {}).get("uid") == owner:
                    assumed[node] = assumed.get(node, 0) + 1

        owned = self.store.index_buckets("Pod", OWNER_INDEX)
        suffix = "|" + owner

        def count(node: str) -> int:
            return len(owned.get(node + suffix, ())) + assumed.get(node, 0)

        return count

    def _assumed_by_node(self, exclude: str) -> dict[str, list[Obj]]:
        """Per node, the pods assumed on it (waiting for their volumes), but ``exclude``."""
        by_node: dict[str, list[Obj]] = {}
        for key, (_uid, node) in self._assumed.items():
            if key != exclude:
                ns, nm = split_key(key)
                assumed = self.store.get("Pod", ns, nm)
                if assumed is not None:
                    by_node.setdefault(node, []).append(assumed)
        return by_node

    # -- volume binding wait -----------------------------------------------------------------
    def _assume(self, key: str, pod: Obj, node: str, claims: list[Obj]) -> None:
        self._assumed[key] = (str(pod["metadata"].get("uid", "")), node)
        for pvc in claims:
            annotations = pvc["metadata"].get("annotations") or {}
            if annotations.get(scheduling.SELECTED_NODE) == node:
                continue
            updated = thaw(pvc, "metadata.annotations")
            updated["metadata"].setdefault("annotations", {})[scheduling.SELECTED_NODE] = node
            self.store.update(updated)

    def _finish_assumed(self, key: str, pod: Obj) -> bool:
        """Bind an assumed pod once its claims are bound; True while it is still assumed."""
        assumed = self._assumed.get(key)
        if assumed is None:
            return False
        uid, node = assumed
        volumes = scheduling.volume_prefilter(self.store, pod)
        node_obj = self.store.get("Node", "", node)
        if uid != pod["metadata"].get("uid") or volumes.error or node_obj is None:
            del self._assumed[key]
            return False
        if volumes.delayed:
            return True  # still waiting for the provisioner
        del self._assumed[key]
        if scheduling.REASON_PV_AFFINITY in scheduling.filter_node(pod, node_obj, [], volumes):
            return False
        self._bind(pod, node)
        return True

    # -- writes ------------------------------------------------------------------------------------
    def _bind(self, pod: Obj, node: str) -> None:
        updated = _status_copy(pod)
        updated["spec"] = {**pod["spec"], "nodeName": node}
        _set_condition(updated, {"status": "True"}, self.clock.timestamp())
        stored = self.store.update(updated, adopt=True)
        message = f"Successfully assigned {namespace_of(pod)}/{name_of(pod)} to {node}"
        self.cluster.events.normal(stored, "Scheduled", message, self.name)

    def _fail(self, pod: Obj, message: str) -> None:
        updated = _status_copy(pod)
        cond = {"status": "False", "reason": "Unschedulable", "message": message}
        _set_condition(updated, cond, self.clock.timestamp())
        stored = self.store.update(updated, adopt=True) if updated != pod else pod
        self.cluster.events.warning(stored, "FailedScheduling", message, self.name)


def _status_copy(pod: Obj) -> Obj:
    """``pod`` with a fresh status dict and conditions list to edit (the conditions
    themselves are replaced, never edited); the rest is shared with the stored pod, so
    the store copies only what changed (see :mod:`engine.store`)."""
    updated = dict(pod)
    if "status" in pod:
        status = updated["status"] = dict(pod["status"])
        if isinstance(status.get("conditions"), list):
            status["conditions"] = list(status["conditions"])
    return updated


def _set_condition(pod: Obj, fields: dict[str, Any], now: str) -> None:
    fields = {"observedGeneration": int(pod["metadata"].get("generation", 1) or 1), **fields}
    status = pod.setdefault("status", {})
    status.setdefault("phase", "Pending")
    conditions: list[dict[str, Any]] = status.setdefault("conditions", [])
    for i, cond in enumerate(conditions):
        if cond.get("type") == "PodScheduled":
            same = all(cond.get(k) == v for k, v in fields.items())
            if not same:
                since = (
                    now
                    if cond.get("status") != fields["status"]
                    else cond.get("lastTransitionTime", now)
                )
                conditions[i] = {"type": "PodScheduled", **fields, "lastProbeTime": None}
                conditions[i]["lastTransitionTime"] = since
            return
    conditions.append(
        {"type": "PodScheduled", **fields, "lastProbeTime": None, "lastTransitionTime": now}
    )
