"""Deployment controller (``pkg/controller/deployment``: ``deployment_controller.go``,
``sync.go``, ``rolling.go``, ``recreate.go``, ``progress.go``).

One sync of ``namespace/name``, as ``syncDeployment``:

1. Claim ReplicaSets (adopt matching orphans, release non-matching ones).
2. Being deleted → status only. Paused, or ``spec.replicas`` changed (an active set's
   ``desired-replicas`` annotation differs) → :meth:`_sync_scale` (proportional scaling).
3. Otherwise roll out: ``RollingUpdate`` (``reconcileNewReplicaSet`` — scale the new set up to
   ``replicas + maxSurge`` pods in total — then ``reconcileOldReplicaSets`` — scale old sets
   down, unhealthy pods first, keeping ``replicas − maxUnavailable`` available) or ``Recreate``
   (old sets to 0, wait until none of their pods is left, then the new set to ``replicas``).
4. Once complete, old sets beyond ``revisionHistoryLimit`` are deleted; status and the
   ``Progressing`` condition (``NewReplicaSetCreated``/``FoundNewReplicaSet`` →
   ``ReplicaSetUpdated`` → ``NewReplicaSetAvailable``, or ``ProgressDeadlineExceeded``) and
   ``Available`` are written as ``syncRolloutStatus`` does.

The new ReplicaSet is ``<deployment>-<pod-template-hash>`` (see :mod:`deployment_util` for the
hash), labelled, selected and templated with ``pod-template-hash``, with the revision and
``desired-replicas``/``max-replicas`` annotations. Events: ``ScalingReplicaSet``
``Scaled up replica set web-5d4f8b7c9 from 0 to 3`` on creation, ``Scaled down replica set
web-7c9b6f5d4 to 1 from 2`` afterwards (the wording of current controllers).

A sync that could not create the new ReplicaSet (the API refused it, or its name collided
with a set that is not ours) returns an error in the real controller; ``handleErr`` then
requeues the Deployment with the workqueue's back-off (5 ms doubling; the longest wait is
82 s) at most ``maxRetries`` (15) times, and drops it from the queue after that until
something about it changes. :meth:`DeploymentController.sync` does the same. (Pods are
the ReplicaSet controller's business: a pod quota never fails a Deployment sync.)

:func:`rollback` is ``kubectl rollout undo`` (client-side, as kubectl does it) and
:func:`history` lists revisions for ``kubectl rollout history`` (both in
:mod:`deployment_rollback`, re-exported here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.controllers import deployment_rollout as rollout
from engine.controllers import deployment_status as st
from engine.controllers import deployment_util as du
from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.deployment_rollback import history, rollback
from engine.objects import (
    Obj,
    annotations_of,
    controller_ref,
    copy_obj,
    labels_of,
    name_of,
    namespace_of,
    owner_reference,
    uid_of,
    with_controller_ref,
)
from engine.store import AlreadyExists, StoreError, WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "deployment-controller"
#: ``maxRetries``: how often a failing sync is requeued with back-off before it is dropped
MAX_RETRIES = 15
__all__ = ["DeploymentController", "history", "rollback"]


_spec_replicas = st.spec_replicas
_by_creation = st.by_creation
_selector = st.selector


class DeploymentController(Controller):
    """Rolls Deployments out through ReplicaSets."""

    name = COMPONENT

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self._sync_failed = False
        """Whether the running sync failed (``syncDeployment`` returned an error)."""

    def setup(self) -> None:
        """Watch Deployments, their ReplicaSets and pods."""
        self.store.subscribe(
            lambda ev: self.enqueue(make_key(namespace_of(ev.obj), name_of(ev.obj))),
            ["Deployment"],
        )
        self.store.subscribe(self._on_rs, ["ReplicaSet"])
        self.store.subscribe(self._on_pod, ["Pod"])

    def _on_rs(self, ev: WatchEvent) -> None:
        ns = namespace_of(ev.obj)
        refs = [controller_ref(ev.obj)] + ([controller_ref(ev.old)] if ev.old else [])
        owned = [r for r in refs if r and r.get("kind") == "Deployment"]
        for ref in owned:
            self.enqueue(make_key(ns, ref["name"]))
        if not owned and ev.type != "DELETED":
            for d in self.store.list("Deployment", ns):
                if _selector(d)(labels_of(ev.obj)):
                    self.enqueue(make_key(ns, name_of(d)))

    def _on_pod(self, ev: WatchEvent) -> None:
        if ev.type != "DELETED":
            return  # Recreate waits for old pods to be gone
        ref = controller_ref(ev.obj)
        if ref and ref.get("kind") == "ReplicaSet":
            rs = self.store.get("ReplicaSet", namespace_of(ev.obj), ref["name"])
            owner = controller_ref(rs) if rs else None
            if owner and owner.get("kind") == "Deployment":
                self.enqueue(make_key(namespace_of(ev.obj), owner["name"]))

    # -- sync -----------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Reconcile one Deployment; a failed sync is retried like ``handleErr`` does."""
        self._sync_failed = False
        self._sync_deployment(key)
        if not self._sync_failed:
            self.forget(key)
        elif self._failures.get(key, 0) < MAX_RETRIES:
            self.retry_later(key)  # AddRateLimited
        else:
            self.forget(key)  # "Dropping deployment out of the queue"

    def _sync_deployment(self, key: str) -> None:
        ns, name = split_key(key)
        d = self.store.get("Deployment", ns, name)
        if d is None:
            return
        if d["spec"].get("selector") == {}:
            self.cluster.events.warning(
                d,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
                COMPONENT,
            )
            return
        sets = self._claim_sets(d)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old = self._new_and_old(d, sets, create=False)
            st.sync_status(self, d, [*old, *([new_rs] if new_rs else [])], new_rs)
            return
        d = self._check_paused(d)
        if d["spec"].get("paused") or self._is_scaling_event(d, sets):
            rollout.sync_scale(self, d, sets)
        elif du.strategy_type(d) == "Recreate":
            rollout.rollout_recreate(self, d, sets)
        else:
            rollout.rollout_rolling(self, d, sets)

    def _claim_sets(self, d: Obj) -> list[Obj]:
        match = _selector(d)
        deleting = bool(d["metadata"].get("deletionTimestamp"))
        claimed = []
        for rs in self.store.list("ReplicaSet", namespace_of(d)):
            ref = controller_ref(rs)
            if ref is not None:
                if ref.get("uid") != uid_of(d):
                    continue
                if match(labels_of(rs)):
                    claimed.append(rs)
                elif not deleting:
                    self._set_owner(rs, None)
            elif (
                match(labels_of(rs))
                and not deleting
                and not rs["metadata"].get("deletionTimestamp")
            ):
                claimed.append(self._set_owner(rs, owner_reference(d)))
        return claimed

    def _set_owner(self, obj: Obj, ref: dict[str, Any] | None) -> Obj:
        return self.store.update(with_controller_ref(obj, ref))

    def _check_paused(self, d: Obj) -> Obj:
        status = copy_obj(d.get("status") or {})
        cond = du.get_condition(status, "Progressing")
        if cond and cond["reason"] == "ProgressDeadlineExceeded":
            return d
        paused_cond = cond is not None and cond["reason"] == "DeploymentPaused"
        now = self.clock.timestamp()
        if d["spec"].get("paused") and not paused_cond:
            du.set_condition(
                status,
                du.new_condition(
                    "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now
                ),
            )
        elif not d["spec"].get("paused") and paused_cond:
            du.set_condition(
                status,
                du.new_condition(
                    "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now
                ),
            )
        else:
            return d
        return self._write_status(d, status)

    def _write_status(self, d: Obj, status: dict[str, Any]) -> Obj:
        new = copy_obj(d)
        new["status"] = status
        return self.store.update(new)

    def _is_scaling_event(self, d: Obj, sets: list[Obj]) -> bool:
        new_rs, old = self._new_and_old(d, sets, create=False)
        for rs in [*old, *([new_rs] if new_rs else [])]:
            if _spec_replicas(rs) > 0:
                desired = annotations_of(rs).get(du.DESIRED_REPLICAS)
                if desired is not None and desired != str(du.replicas(d)):
                    return True
        return False

    # -- new / old ReplicaSets ------------------------------------------------------------
    def _new_and_old(self, d: Obj, sets: list[Obj], create: bool) -> tuple[Obj | None, list[Obj]]:
        """``getAllReplicaSetsAndSyncRevision``: the new set (created if asked) and old ones."""
        template = d["spec"].get("template") or {}
        new_rs = next(
            (
                rs
                for rs in _by_creation(sets)
                if du.equal_ignore_hash(rs["spec"].get("template") or {}, template)
            ),
            None,
        )
        old = [rs for rs in sets if rs is not new_rs]
        new_revision = str(max((du.revision(rs) for rs in old), default=0) + 1)
        if new_rs is not None:
            return self._sync_existing_new(d, new_rs, new_revision), old
        if not create:
            return None, old
        return self._create_new(d, old, new_revision), old

    def _sync_existing_new(self, d: Obj, rs: Obj, new_revision: str) -> Obj:
        copy = copy_obj(rs)
        changed = du.set_new_rs_annotations(d, copy, new_revision, exists=True)
        min_ready = d["spec"].get("minReadySeconds") or 0
        if changed or (copy["spec"].get("minReadySeconds") or 0) != min_ready:
            copy["spec"]["minReadySeconds"] = min_ready
            return self.store.update(copy)
        fresh = copy_obj(self.store.must_get("Deployment", namespace_of(d), name_of(d)))
        needs = self._set_revision(fresh, annotations_of(rs).get(du.REVISION, ""))
        status = fresh.setdefault("status", {})
        if du.get_condition(status, "Progressing") is None:
            du.set_condition(
                status,
                du.new_condition(
                    "Progressing",
                    "True",
                    "FoundNewReplicaSet",
                    f'Found new replica set "{name_of(rs)}"',
                    self.clock.timestamp(),
                ),
            )
            needs = True
        if needs:
            self.store.update(fresh)
        return rs

    @staticmethod
    def _set_revision(d: Obj, rev: str) -> bool:
        ann = d["metadata"].setdefault("annotations", {})
        if ann.get(du.REVISION) == rev:
            return False
        ann[du.REVISION] = rev
        return True

    def _create_new(self, d: Obj, old: list[Obj], new_revision: str) -> Obj | None:
        """Create the new ReplicaSet; None when that failed (retried on the next sync)."""
        collisions = (d.get("status") or {}).get("collisionCount")
        rs = du.new_replicaset(d, du.compute_hash(d["spec"].get("template") or {}, collisions))
        count = self._new_rs_replicas(d, [*old, rs], rs)
        rs["spec"]["replicas"] = count
        du.set_new_rs_annotations(d, rs, new_revision, exists=False)
        try:
            created = self.store.create(rs)
        except AlreadyExists:
            existing = self._hash_collision(d, rs)
            self._sync_failed = existing is None
            return existing
        except StoreError as exc:
            self._create_failed(d, name_of(rs), exc)
            self._sync_failed = True
            return None
        if count > 0:
            self._event(d, f"Scaled up replica set {name_of(created)} from 0 to {count}")
        fresh = copy_obj(self.store.must_get("Deployment", namespace_of(d), name_of(d)))
        self._set_revision(fresh, new_revision)
        du.set_condition(
            fresh.setdefault("status", {}),
            du.new_condition(
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                f'Created new replica set "{name_of(created)}"',
                self.clock.timestamp(),
            ),
        )
        self.store.update(fresh)
        return created

    def _create_failed(self, d: Obj, rs_name: str, exc: StoreError) -> None:
        msg = f'Failed to create new replica set "{rs_name}": {exc}'
        fresh = copy_obj(self.store.must_get("Deployment", namespace_of(d), name_of(d)))
        du.set_condition(
            fresh.setdefault("status", {}),
            du.new_condition(
                "Progressing", "False", "ReplicaSetCreateError", msg, self.clock.timestamp()
            ),
        )
        self.store.update(fresh)
        self.cluster.events.warning(d, "ReplicaSetCreateError", msg, COMPONENT)

    def _hash_collision(self, d: Obj, rs: Obj) -> Obj | None:
        """An RS of that name exists: reuse it if it is ours with this template, else bump
        ``status.collisionCount`` (the status write requeues the Deployment; the next hash
        differs)."""
        existing = self.store.must_get("ReplicaSet", namespace_of(d), name_of(rs))
        owned = (controller_ref(existing) or {}).get("uid") == uid_of(d)
        same = du.equal_ignore_hash(
            existing["spec"].get("template") or {}, d["spec"].get("template") or {}
        )
        if owned and same:
            return existing
        fresh = copy_obj(self.store.must_get("Deployment", namespace_of(d), name_of(d)))
        status = fresh.setdefault("status", {})
        status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
        self.store.update(fresh)
        return None

    def _new_rs_replicas(self, d: Obj, all_sets: list[Obj], new_rs: Obj) -> int:
        """``NewRSNewReplicas``."""
        if du.strategy_type(d) == "Recreate":
            return du.replicas(d)
        surge = du.max_surge(d)
        current = sum(_spec_replicas(rs) for rs in all_sets)
        max_total = du.replicas(d) + surge
        if current >= max_total:
            return _spec_replicas(new_rs)
        scale_up = min(max_total - current, du.replicas(d) - _spec_replicas(new_rs))
        return _spec_replicas(new_rs) + scale_up

    # -- scaling ----------------------------------------------------------------------------
    def process(self, budget: int = 1_000_000) -> int:
        """Handle only the keys that were waiting when this round began.

        A Deployment re-queued by its own write waits for the next round, after the
        ReplicaSet controller has acted on the scale it just wrote — the order watches
        deliver changes in on a real cluster. Otherwise a second sync could scale the new set
        up before the old set's surplus pods were deleted, overshooting maxSurge in pods.
        """
        return super().process(min(budget, len(self.queue)))

    def cancel_requeue(self, key: str) -> None:
        """Drop a pending ``enqueue_after`` of ``key`` (the progress-deadline check)."""
        handle = self._delayed.pop(key, None)
        if handle is not None:
            handle.cancel()

    def _event(self, d: Obj, message: str) -> None:
        self.cluster.events.normal(d, "ScalingReplicaSet", message, COMPONENT)

    def _scale(self, rs: Obj, new_scale: int, d: Obj, operation: str) -> tuple[bool, Obj]:
        """``scaleReplicaSet``: size and replicas annotations; event only on a size change."""
        size_changed = _spec_replicas(rs) != new_scale
        desired, maximum = du.replicas(d), du.replicas(d) + du.max_surge(d)
        if not size_changed and not du.replicas_annotations_need_update(rs, desired, maximum):
            return False, rs
        old_scale = _spec_replicas(rs)
        copy = copy_obj(rs)
        copy["spec"]["replicas"] = new_scale
        ann = copy["metadata"].setdefault("annotations", {})
        ann[du.DESIRED_REPLICAS], ann[du.MAX_REPLICAS] = str(desired), str(maximum)
        stored = self.store.update(copy)
        if size_changed:
            self._event(
                d, f"Scaled {operation} replica set {name_of(rs)} to {new_scale} from {old_scale}"
            )
        return size_changed, stored

    def _scale_and_record(self, rs: Obj, new_scale: int, d: Obj) -> tuple[bool, Obj]:
        if _spec_replicas(rs) == new_scale:
            return False, rs
        operation = "up" if _spec_replicas(rs) < new_scale else "down"
        return self._scale(rs, new_scale, d, operation)
