"""Node lifecycle: registration defaults, node IPAM, health, taints, taint eviction, pod GC.

Four controllers of kube-controller-manager in one, keyed by node name (cluster-scoped keys)
or ``namespace/name`` (pods):

* **node IPAM + registration** — an applied Node manifest (kwok-style simulated node) gets the
  status its kubelet would post and a pod CIDR ``10.244.N.0/24`` (next free N).
* **node lifecycle** — when a node's kubelet is stopped (annotation
  ``playground.local/kubelet: stopped``, set by :meth:`set_down`) its last heartbeat ages; after
  ``node_not_ready`` seconds (node-monitor-grace-period) every condition turns ``Unknown``
  (``NodeStatusUnknown``, "Kubelet stopped posting node status."), the node gets the
  ``node.kubernetes.io/unreachable`` NoSchedule and NoExecute taints and its pods are marked
  not Ready (``NodeNotReady``). Cordoning (``spec.unschedulable``) adds
  ``node.kubernetes.io/unschedulable:NoSchedule``.
* **taint eviction** — a pod on a node with a NoExecute taint it does not tolerate is deleted at
  once; with a toleration, after its ``tolerationSeconds`` (default ``eviction``, 300 s, as the
  DefaultTolerationSeconds admission plugin adds). Nobody confirms the deletion while the
  kubelet is down, so evicted pods stay ``Terminating``.
* **pod GC** — a pod bound to a deleted node is failed and force-deleted after a 40 s
  quarantine (``DeletionByPodGC``); a terminating pod on a not-ready node tainted
  ``node.kubernetes.io/out-of-service:NoExecute`` (non-graceful node shutdown) is force-deleted,
  which is how an operator lets a StatefulSet replace pods of a lost node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.controllers.base import Controller, make_key, split_key
from engine.node_status import (
    cidr_index,
    condition,
    condition_taints,
    fill_registration,
    healthy_conditions,
    mark_unknown,
    next_cidr_index,
    ready_status,
)
from engine.objects import Obj, copy_obj, name_of, namespace_of
from engine.pod_runtime import KUBELET_ANNOTATION, kubelet_stopped
from engine.store import WatchEvent
from engine.taints import (
    TAINT_NOT_READY,
    TAINT_OUT_OF_SERVICE,
    TAINT_UNREACHABLE,
    has_taint,
    node_taints,
    toleration_seconds,
)

if TYPE_CHECKING:
    from engine.cluster import Cluster

NODE_CONTROLLER = "node-controller"
TAINT_EVICTION = "taint-eviction-controller"
#: PodGC waits this long before treating a pod on a missing node as orphaned
ORPHAN_QUARANTINE = 40.0
#: tolerationSeconds of the DefaultTolerationSeconds admission plugin
DEFAULT_TOLERATION_SECONDS = 300


class NodeLifecycleController(Controller):
    """Node lifecycle controller."""

    name = "node-lifecycle"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.timings = cluster.timings
        #: pod keys with a pending taint eviction (for the "Cancelling deletion" event)
        self._evicting: set[str] = set()
        #: pod key → when PodGC first saw it bound to a node that does not exist
        self._orphaned: dict[str, float] = {}
        #: spec.unschedulable as last seen per node (cordon events)
        self._cordoned: dict[str, bool] = {}

    def setup(self) -> None:
        """Watch nodes and pods."""
        self.store.subscribe(self._on_node, kinds=["Node"])
        self.store.subscribe(self._on_pod, kinds=["Pod"])

    def _on_node(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED":
            for pod in self._pods_on(name_of(ev.obj)):
                self.enqueue(make_key(namespace_of(pod), name_of(pod)))
            return
        self.enqueue(name_of(ev.obj))
        old_taints = node_taints(ev.old) if ev.old is not None else []
        if node_taints(ev.obj) != old_taints:
            for pod in self._pods_on(name_of(ev.obj)):
                self.enqueue(make_key(namespace_of(pod), name_of(pod)))

    def _on_pod(self, ev: WatchEvent) -> None:
        key = make_key(*ev.key)
        if ev.type == "DELETED":
            self._evicting.discard(key)
            self._orphaned.pop(key, None)
            return
        node_name = (ev.obj.get("spec") or {}).get("nodeName")
        node = self.store.get("Node", "", node_name) if node_name else None
        if node is not None and any(t.get("effect") == "NoExecute" for t in node_taints(node)):
            self.enqueue(key)

    def _pods_on(self, node: str) -> list[Obj]:
        return [p for p in self.store.list("Pod") if (p.get("spec") or {}).get("nodeName") == node]

    # -- fault verb -------------------------------------------------------------------------------
    def set_down(self, node: str, down: bool) -> None:
        """Stop the node's kubelet (``down``) or start it again.

        The state is the node annotation ``playground.local/kubelet: stopped``; stopping also
        stamps the final heartbeat, from which the grace period is measured.
        """
        obj = copy_obj(self.store.must_get("Node", "", node))
        annotations = obj["metadata"].setdefault("annotations", {})
        if down == kubelet_stopped(obj):
            return
        if down:
            annotations[KUBELET_ANNOTATION] = "stopped"
            now = self.clock.timestamp()
            for cond in (obj.get("status") or {}).get("conditions") or []:
                cond["lastHeartbeatTime"] = now
        else:
            annotations.pop(KUBELET_ANNOTATION, None)
            if not annotations:
                obj["metadata"].pop("annotations", None)
        self.store.update(obj)

    # -- reconcile ---------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Reconcile a node (``name``) or a pod's taint eviction (``namespace/name``)."""
        namespace, name = split_key(key)
        if namespace:
            self._sync_pod(key, namespace, name)
        else:
            self._sync_node(name)

    def _sync_node(self, name: str) -> None:
        node = self.store.get("Node", "", name)
        if node is None:
            return
        updated = copy_obj(node)
        now = self.clock.timestamp()
        registered = self._register(updated, now)
        went_unknown = self._health(updated, now)
        condition_taints(updated, now)
        if updated != node:
            self._node_events(node, updated)
            node = self.store.update(updated)
        if registered:
            message = f"Node {name} event: Registered Node {name} in Controller"
            self.cluster.events.normal(node, "RegisteredNode", message, NODE_CONTROLLER)
        self._cordon_event(node)
        if went_unknown:
            self._mark_pods_not_ready(name)

    def _register(self, node: Obj, now: str) -> bool:
        """Pod CIDR and registration defaults; True for a node that had no status at all (an
        applied manifest: the controller registers it)."""
        spec = node.setdefault("spec", {})
        index = cidr_index(node)
        if not spec.get("podCIDR"):
            others = [n for n in self.store.list("Node") if name_of(n) != name_of(node)]
            index = next_cidr_index(others)
            spec["podCIDR"] = f"10.244.{index}.0/24"
            spec["podCIDRs"] = [spec["podCIDR"]]
        status = node.get("status") or {}
        fresh = not status.get("allocatable")
        if not status.get("conditions") or fresh:
            capacity = self.cluster.config.node_capacity
            fill_registration(node, index or 0, capacity, now)
        return fresh

    def _health(self, node: Obj, now: str) -> bool:
        """Apply the kubelet's liveness to the conditions; True when Ready just went Unknown."""
        current = ready_status(node)
        if not kubelet_stopped(node):
            if current != "True":
                node["status"]["conditions"] = healthy_conditions(now, node)
            return False
        if current == "Unknown":
            return False
        ready = condition(node, "Ready") or {}
        heartbeat = self.clock.parse_timestamp(str(ready.get("lastHeartbeatTime") or now))
        due = heartbeat + self.timings.node_not_ready
        if self.clock.now() < due:
            self.enqueue_after(name_of(node), due - self.clock.now())
            return False
        mark_unknown(node, now)
        return True

    def _node_events(self, old: Obj, new: Obj) -> None:
        before, after = ready_status(old), ready_status(new)
        if before == "True" and after == "Unknown":
            self._node_event(new, "NodeNotReady", NODE_CONTROLLER)
        elif before and before != "True" and after == "True":
            self._node_event(new, "NodeReady", "kubelet")

    def _cordon_event(self, node: Obj) -> None:
        cordoned = bool((node.get("spec") or {}).get("unschedulable"))
        before = self._cordoned.get(name_of(node))
        self._cordoned[name_of(node)] = cordoned
        if before is not None and before != cordoned:
            status = "NodeNotSchedulable" if cordoned else "NodeSchedulable"
            self._node_event(node, status, "kubelet")

    def _node_event(self, node: Obj, status: str, component: str) -> None:
        message = f"Node {name_of(node)} status is now: {status}"
        host = name_of(node) if component == "kubelet" else ""
        self.cluster.events.normal(node, status, message, component, host=host)

    def _mark_pods_not_ready(self, node: str) -> None:
        """``MarkPodsNotReady``: the Ready condition of every pod on the node → False."""
        now = self.clock.timestamp()
        for pod in self._pods_on(node):
            updated = copy_obj(pod)
            changed = False
            for cond in (updated.get("status") or {}).get("conditions") or []:
                if cond.get("type") == "Ready" and cond.get("status") != "False":
                    cond["status"], cond["lastTransitionTime"] = "False", now
                    changed = True
            if changed:
                stored = self.store.update(updated)
                self.cluster.events.warning(
                    stored, "NodeNotReady", "Node is not ready", NODE_CONTROLLER
                )

    # -- taint eviction -------------------------------------------------------------------------
    def _sync_pod(self, key: str, namespace: str, name: str) -> None:
        pod = self.store.get("Pod", namespace, name)
        node_name = (pod.get("spec") or {}).get("nodeName") if pod else None
        node = self.store.get("Node", "", node_name) if node_name else None
        if pod is None or not node_name:
            self._evicting.discard(key)
            return
        if node is None:
            self._gc_orphan(key, pod)
            return
        self._orphaned.pop(key, None)
        if pod["metadata"].get("deletionTimestamp"):
            self._evicting.discard(key)
            if has_taint(node, TAINT_OUT_OF_SERVICE, "NoExecute") and ready_status(node) != "True":
                self._force_delete(pod, None)  # PodGC gcTerminating
            return
        due = self._eviction_time(pod, node)
        if due is None:
            if key in self._evicting:
                self._evicting.discard(key)
                message = f"Cancelling deletion of Pod {namespace}/{name}"
                self.cluster.events.normal(pod, "TaintManagerEviction", message, TAINT_EVICTION)
            return
        self._evicting.add(key)
        if due > self.clock.now():
            self.enqueue_after(key, due - self.clock.now())
            return
        self._evict(key, pod)

    # -- pod garbage collection ---------------------------------------------------------------
    def _gc_orphan(self, key: str, pod: Obj) -> None:
        """PodGC ``gcOrphaned``: a pod bound to a node that no longer exists is failed and
        force-deleted after the quarantine."""
        since = self._orphaned.setdefault(key, self.clock.now())
        due = since + ORPHAN_QUARANTINE
        if due > self.clock.now():
            self.enqueue_after(key, due - self.clock.now())
            return
        self._orphaned.pop(key, None)
        self._force_delete(pod, ("DeletionByPodGC", "PodGC: node no longer exists"))

    def _force_delete(self, pod: Obj, reason: tuple[str, str] | None) -> None:
        """``markFailedAndDeletePodWithCondition``: phase Failed, then delete with grace 0."""
        updated = copy_obj(pod)
        status = updated.setdefault("status", {})
        if status.get("phase") not in ("Succeeded", "Failed"):
            status["phase"] = "Failed"
        if reason is not None:
            _add_disruption(updated, reason, self.clock.timestamp())
        if updated != pod:
            self.store.update(updated)
        self.store.delete("Pod", namespace_of(pod), name_of(pod), grace_period=0)

    def _eviction_time(self, pod: Obj, node: Obj) -> float | None:
        """When the pod must go (None: it may stay), per ``processPodOnNode``."""
        taints = [t for t in node_taints(node) if t.get("effect") == "NoExecute"]
        if not taints:
            return None
        tolerations = self._tolerations(pod)
        due: float | None = None
        for taint in taints:
            seconds = toleration_seconds(tolerations, taint)
            if seconds is None:
                continue
            added = taint.get("timeAdded")
            start = self.clock.parse_timestamp(added) if added else self.clock.now()
            when = self.clock.now() if seconds < 0 else start + seconds
            due = when if due is None else min(due, when)
        return due

    def _tolerations(self, pod: Obj) -> list[dict[str, Any]]:
        """The pod's tolerations, with the DefaultTolerationSeconds ones it lacks added.

        The admission plugin's default (``tolerationSeconds: 300`` for the not-ready and
        unreachable NoExecute taints) stands for the cluster's ``eviction`` timing, so a demo
        with a shorter eviction timing sees it.
        """
        tolerations: list[dict[str, Any]] = []
        for toleration in (pod.get("spec") or {}).get("tolerations") or []:
            if _is_default_toleration(toleration):
                toleration = {**toleration, "tolerationSeconds": int(self.timings.eviction)}
            tolerations.append(toleration)
        for key in (TAINT_NOT_READY, TAINT_UNREACHABLE):
            taint = {"key": key, "effect": "NoExecute"}
            if toleration_seconds(tolerations, taint) == -1.0:
                tolerations.append(
                    {
                        "key": key,
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": int(self.timings.eviction),
                    }
                )
        return tolerations

    def _evict(self, key: str, pod: Obj) -> None:
        self._evicting.discard(key)
        namespace, name = namespace_of(pod), name_of(pod)
        updated = copy_obj(pod)
        reason = ("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
        _add_disruption(updated, reason, self.clock.timestamp())
        if updated != pod:
            pod = self.store.update(updated)
        message = f"Marking for deletion Pod {namespace}/{name}"
        self.cluster.events.normal(pod, "TaintManagerEviction", message, TAINT_EVICTION)
        self.store.delete("Pod", namespace, name)


def _is_default_toleration(toleration: dict[str, Any]) -> bool:
    """The toleration the DefaultTolerationSeconds admission plugin adds."""
    return (
        toleration.get("key") in (TAINT_NOT_READY, TAINT_UNREACHABLE)
        and toleration.get("operator") == "Exists"
        and toleration.get("effect") == "NoExecute"
        and toleration.get("tolerationSeconds") == DEFAULT_TOLERATION_SECONDS
    )


def _add_disruption(pod: Obj, reason: tuple[str, str], now: str) -> None:
    """Add the ``DisruptionTarget`` condition (once) naming why the pod is being deleted."""
    conditions = pod.setdefault("status", {}).setdefault("conditions", [])
    if any(c.get("type") == "DisruptionTarget" for c in conditions):
        return
    conditions.append(
        {
            "type": "DisruptionTarget",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": now,
            "reason": reason[0],
            "message": reason[1],
        }
    )
