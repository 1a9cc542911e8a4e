"""ReplicaSet controller (``pkg/controller/replicaset/replica_set.go``).

One sync of ``namespace/name``:

1. Take the namespace's *active* pods (not terminating, not Succeeded/Failed — a Terminating
   pod is no longer counted, so its replacement is created at once) and claim them like
   ``PodControllerRefManager.ClaimPods``: keep pods this set controls whose labels still match,
   release (drop the ownerReference of) those that no longer match, adopt matching orphans.
2. ``manageReplicas``: too few → create the missing pods (``generateName: <rs>-``, at most
   500 per sync, in slow-start batches 1, 2, 4… that stop at the first failing batch);
   too many → delete the surplus chosen by :func:`pod_util.rank_for_deletion`
   (``ActivePodsWithRanks``). Events ``SuccessfulCreate`` ``Created pod: web-abc12`` /
   ``SuccessfulDelete`` ``Deleted pod: web-abc12``; each refused call is a Warning
   ``FailedCreate`` ``Error creating: <API error>`` / ``FailedDelete`` ``Error deleting: …``
   (``RealPodControl``; a pod already gone is no failure).
3. Status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (minReadySeconds),
   observedGeneration, terminatingReplicas (owned pods still shutting down; feature
   DeploymentReplicaSetTerminatingReplicas, beta and on in 1.35), and the ``ReplicaFailure``
   condition (``calculateStatus``: added with the first error's message while it is absent,
   kept unchanged while syncs keep failing, removed by the first sync without error);
   written only when it changed. A pod that will turn available later requeues the set then.
4. A sync whose creates or deletes failed is retried with the workqueue's per-item back-off
   (``processNextWorkItem``: error → ``AddRateLimited``, 5 ms doubling to 1000 s; success →
   ``Forget``), so a set refused by a quota gets its pods once room is freed, with no other
   event needed. Keeping the condition's first message matters here: a message naming each
   refused pod would change the status on every try, and the status write would requeue the
   set at once, forever.

A set being deleted only updates its status (the garbage collector removes its pods).
"""

from __future__ import annotations

from typing import Any

from engine.controllers import pod_util
from engine.controllers.base import Controller, make_key, split_key
from engine.objects import (
    Obj,
    controller_ref,
    copy_obj,
    labels_of,
    name_of,
    namespace_of,
    owner_reference,
    uid_of,
    with_controller_ref,
)
from engine.selectors import SelectorError, from_label_selector
from engine.store import NotFound, StoreError, WatchEvent

COMPONENT = "replicaset-controller"
BURST_REPLICAS = 500
SLOW_START_INITIAL_BATCH = 1


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH) -> list[int]:
    """Batch sizes of ``slowStartBatch``: 1, 2, 4, … capped by what remains."""
    sizes, remaining, size = [], count, min(count, initial)
    while size > 0:
        sizes.append(size)
        remaining -= size
        size = min(2 * size, remaining)
    return sizes


class ReplicaSetController(Controller):
    """Keeps ``spec.replicas`` pods of each ReplicaSet running."""

    name = COMPONENT

    def setup(self) -> None:
        """Watch ReplicaSets and pods."""
        self.store.subscribe(self._on_rs, ["ReplicaSet"])
        self.store.subscribe(self._on_pod, ["Pod"])

    def _on_rs(self, ev: WatchEvent) -> None:
        self.enqueue(make_key(namespace_of(ev.obj), name_of(ev.obj)))

    def _on_pod(self, ev: WatchEvent) -> None:
        ns = namespace_of(ev.obj)
        owners = [controller_ref(ev.obj)] + ([controller_ref(ev.old)] if ev.old else [])
        found = False
        for ref in owners:
            if ref and ref.get("kind") == "ReplicaSet":
                self.enqueue(make_key(ns, ref["name"]))
                found = True
        if not found and ev.type != "DELETED" and self.store.count("ReplicaSet"):
            for rs in self.store.list("ReplicaSet", ns):
                if _selector(rs)(labels_of(ev.obj)):
                    self.enqueue(make_key(ns, name_of(rs)))

    # -- sync ---------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Reconcile one ReplicaSet."""
        ns, name = split_key(key)
        rs = self.store.get("ReplicaSet", ns, name)
        if rs is None:
            self.forget(key)
            return
        pods = [p for p in self.store.list("Pod", ns) if pod_util.is_pod_active(p)]
        pods = self._claim(rs, pods)
        error = None
        if not rs["metadata"].get("deletionTimestamp"):
            error = self._manage(rs, pods)
            pods = [
                p
                for p in self.store.list("Pod", ns)
                if pod_util.is_pod_active(p) and _owned_by(p, rs)
            ]
        terminating = [
            p
            for p in self.store.list("Pod", ns)
            if p["metadata"].get("deletionTimestamp")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            and _owned_by(p, rs)
        ]
        self._update_status(rs, pods, len(terminating), error)
        if error is None:
            self.forget(key)
        else:
            self.retry_later(key)

    def _claim(self, rs: Obj, pods: list[Obj]) -> list[Obj]:
        match = _selector(rs)
        deleting = bool(rs["metadata"].get("deletionTimestamp"))
        claimed = []
        for pod in pods:
            ref = controller_ref(pod)
            if ref is not None:
                if ref.get("uid") != uid_of(rs):
                    continue
                if match(labels_of(pod)):
                    claimed.append(pod)
                elif not deleting:
                    self._set_owner(pod, None)
            elif match(labels_of(pod)) and not deleting:
                claimed.append(self._set_owner(pod, owner_reference(rs)))
        return claimed

    def _set_owner(self, pod: Obj, ref: dict[str, Any] | None) -> Obj:
        return self.store.update(with_controller_ref(pod, ref))

    def _manage(self, rs: Obj, pods: list[Obj]) -> str | None:
        wanted = rs["spec"].get("replicas")
        diff = len(pods) - (1 if wanted is None else int(wanted))
        if diff < 0:
            return self._create(rs, min(-diff, BURST_REPLICAS))
        if diff > 0:
            return self._delete(rs, pods, min(diff, BURST_REPLICAS))
        return None

    def _create(self, rs: Obj, count: int) -> str | None:
        """Create ``count`` pods in slow-start batches; the first error of the batch that
        failed (the API's message), or None."""
        template = rs["spec"].get("template") or {}
        for size in slow_start_batches(count):
            failed = None
            for _ in range(size):
                pod = pod_util.pod_from_template(
                    template, owner_reference(rs), namespace_of(rs), f"{name_of(rs)}-"
                )
                try:
                    created = self.store.create(pod)
                except StoreError as exc:
                    failed = failed or str(exc)
                    self.cluster.events.warning(
                        rs, "FailedCreate", f"Error creating: {exc}", COMPONENT
                    )
                    continue
                self.cluster.events.normal(
                    rs, "SuccessfulCreate", f"Created pod: {name_of(created)}", COMPONENT
                )
            if failed:
                return failed
        return None

    def _delete(self, rs: Obj, pods: list[Obj], count: int) -> str | None:
        clock = self.clock
        victims = pods
        if count < len(pods):
            related = self._related_pods(rs)
            victims = pod_util.rank_for_deletion(pods, related, clock.now(), clock.parse_timestamp)
        failed = None
        for pod in victims[:count]:
            try:
                self.store.delete("Pod", namespace_of(pod), name_of(pod))
            except NotFound:
                continue  # already gone: what the delete wanted
            except StoreError as exc:
                failed = failed or f"unable to delete pods: {exc}"
                self.cluster.events.warning(rs, "FailedDelete", f"Error deleting: {exc}", COMPONENT)
                continue
            self.cluster.events.normal(
                rs, "SuccessfulDelete", f"Deleted pod: {name_of(pod)}", COMPONENT
            )
        return failed

    def _related_pods(self, rs: Obj) -> list[Obj]:
        """Pods of every ReplicaSet controlled by this set's controller (or this set alone)."""
        owner = controller_ref(rs)
        sets = [rs]
        if owner is not None:
            sets = [
                other
                for other in self.store.list("ReplicaSet", namespace_of(rs))
                if (controller_ref(other) or {}).get("uid") == owner.get("uid")
            ]
        seen: dict[str, Obj] = {}
        for other in sets:
            for pod in self.store.list("Pod", namespace_of(rs), _selector(other)):
                seen.setdefault(uid_of(pod), pod)
        return list(seen.values())

    # -- status -------------------------------------------------------------------------
    def _update_status(self, rs: Obj, pods: list[Obj], terminating: int, error: str | None) -> None:
        status = self._compute_status(rs, pods, error)
        status["terminatingReplicas"] = terminating  # DeploymentReplicaSetTerminatingReplicas
        if status != rs.get("status"):
            new = copy_obj(rs)
            new["status"] = status
            self.store.update(new)
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        waits = [
            pod_util.available_in(p, min_ready, self.clock.now(), self.clock.parse_timestamp)
            for p in pods
        ]
        pending = [w for w in waits if w is not None]
        if pending:
            self.enqueue_after(make_key(namespace_of(rs), name_of(rs)), min(pending) + 1)

    def _compute_status(self, rs: Obj, pods: list[Obj], error: str | None) -> dict[str, Any]:
        tmpl_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels")
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        now, parse = self.clock.now(), self.clock.parse_timestamp
        status: dict[str, Any] = {
            "replicas": len(pods),
            "fullyLabeledReplicas": sum(
                1
                for p in pods
                if all(labels_of(p).get(k) == v for k, v in (tmpl_labels or {}).items())
            ),
            "readyReplicas": sum(1 for p in pods if pod_util.is_pod_ready(p)),
            "availableReplicas": sum(
                1 for p in pods if pod_util.is_pod_available(p, min_ready, now, parse)
            ),
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        if error is not None:
            status["conditions"] = [self._failure_condition(rs, len(pods), error)]
        for key in ("readyReplicas", "availableReplicas", "fullyLabeledReplicas"):
            if not status[key]:
                del status[key]  # omitempty, as the API serialises them
        return status

    def _failure_condition(self, rs: Obj, active: int, error: str) -> dict[str, Any]:
        """The ``ReplicaFailure`` condition while syncs fail: the one already there, unchanged,
        or a new one with this error (``calculateStatus``)."""
        old_conditions = (rs.get("status") or {}).get("conditions") or []
        old = next((c for c in old_conditions if c.get("type") == "ReplicaFailure"), None)
        if old is not None:
            return dict(old)
        wanted = rs["spec"].get("replicas")
        diff = active - (1 if wanted is None else int(wanted))
        return {
            "type": "ReplicaFailure",
            "status": "True",
            "lastTransitionTime": self.clock.timestamp(),
            "reason": "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else "",
            "message": error,
        }


def _selector(rs: Obj) -> Any:
    try:
        return from_label_selector((rs.get("spec") or {}).get("selector"))
    except SelectorError:
        return lambda _labels: False


def _owned_by(pod: Obj, rs: Obj) -> bool:
    return (controller_ref(pod) or {}).get("uid") == uid_of(rs)
