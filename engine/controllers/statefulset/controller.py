"""StatefulSet controller plumbing (STS-MAIN, stateful_set.go).

Watch handlers turn StatefulSet, Pod, PersistentVolumeClaim and ControllerRevision events into
the owning set's ``namespace/name`` key (through the controller ownerReference; an orphan pod or
revision, and every claim, also wakes the sets whose selector matches its labels: the claims this
controller creates carry ``selector.matchLabels``, so a claim that finishes deleting unblocks its
pod at once). :meth:`StatefulSetController.sync` gathers the set, its
revisions (adopting orphans) and its pods (adopting orphans that match the selector and the
``<set>-<ordinal>`` name, releasing owned pods that no longer match), resolves the current and
update revisions, asks :mod:`control` for a plan, lets :mod:`pod_control` execute it, writes the
status (:mod:`status`) and trims the revision history.

Cost: a sync costs what changed since the last one, not the size of the set. The set's pods are
kept between syncs as a :class:`~.roster.Roster` (:mod:`tracking`): the watch handlers note
which pods and claims changed, the sync re-reads and re-claims only those pods, and the plan
visits only missing ordinals and suspects. A change of the set's spec, uid, deletion or
revisions rebuilds the roster from a full scan of the namespace, which is what every sync did
before. The resolved revisions are remembered while nothing they were resolved from changed,
and the compiled selector while the selector stays the same.

Settled sets: most pod and claim events (a pod bound to a node, given an IP, its containers
started; a claim bound) change nothing a sync reads. After a sync that wrote nothing but its
status, the set is *settled* (:attr:`.tracking.Kept.settled`) until an event changes something
a sync reads; a sync of a settled set returns at once, after re-arming the minReadySeconds
timer as the full sync would. The key is still queued and dequeued as before, so every other
sync keeps its place.

Requeues: a failed sync retries with client-go's per-item exponential back-off (5 ms doubling,
1000 s cap); with minReadySeconds the set is looked at again when the next Ready pod turns
Available. A StatefulSet whose spec the controller cannot act on (no selector, a malformed
maxUnavailable) is logged and not retried, as upstream does for a bad selector.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.statefulset import control, identity, spec
from engine.controllers.statefulset.pod_control import PodControl
from engine.controllers.statefulset.revisions import (
    History,
    Revisions,
    resolve,
    sort_revisions,
    truncate,
)
from engine.controllers.statefulset.roster import Roster
from engine.controllers.statefulset.status import write as write_status
from engine.controllers.statefulset.tracking import (
    Context,
    Kept,
    Tracker,
    claim_change_matters,
    pod_change_matters,
)
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
from engine.selectors import Matcher, SelectorError, from_label_selector
from engine.store import StoreError, WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

log = logging.getLogger(__name__)


class StatefulSetController(Controller):
    """Keeps each StatefulSet's pods, claims, revisions and status in line with its spec."""

    name = "statefulset-controller"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.pod_control = PodControl(cluster)
        self.history = History(cluster.store)
        self._waiting: dict[str, str] = {}
        self.tracker = Tracker()
        #: the last resolved revisions per set, with what they were resolved from
        self._resolved: dict[str, tuple[tuple[Any, ...], Any, Revisions]] = {}
        self._matchers: dict[str, tuple[Any, Matcher]] = {}

    def waiting_for(self, namespace: str, name: str) -> str | None:
        """What holds the StatefulSet back after its last sync, in the words of the controller's
        log ("waiting for Pod web-1 to be Running and Ready"); None when nothing does."""
        return self._waiting.get(make_key(namespace, name))

    # -- watches ------------------------------------------------------------------------------
    def setup(self) -> None:
        """Watch StatefulSets, Pods, PersistentVolumeClaims and ControllerRevisions."""
        self.store.subscribe(self._on_set, ["StatefulSet"])
        self.store.subscribe(self._on_pod, ["Pod"])
        self.store.subscribe(self._on_owned, ["PersistentVolumeClaim", "ControllerRevision"])

    def _on_set(self, ev: WatchEvent) -> None:
        key = make_key(*ev.key)
        kept = self.tracker.peek(key)
        if kept is not None:
            kept.settled = None
        self.enqueue(key)

    def _on_pod(self, ev: WatchEvent) -> None:
        self.tracker.pod_changed(*ev.key, pod_change_matters(ev))
        ref, old_ref = controller_ref(ev.obj), controller_ref(ev.old) if ev.old else None
        if old_ref is not None and old_ref != ref:
            self._enqueue_ref(namespace_of(ev.obj), old_ref)
        if ref is not None:
            self._enqueue_ref(namespace_of(ev.obj), ref)
        elif ev.type != "DELETED":
            self._enqueue_selecting(ev.obj)

    def _on_owned(self, ev: WatchEvent) -> None:
        ns = namespace_of(ev.obj)
        if ev.kind == "PersistentVolumeClaim":
            self.tracker.claim_changed(ns, name_of(ev.obj), claim_change_matters(ev))
        else:
            self.tracker.unsettle(ns)
        refs = ev.obj["metadata"].get("ownerReferences") or []
        for ref in refs:
            if ref.get("kind") == "StatefulSet":
                self._enqueue_ref(ns, ref)
            elif ref.get("kind") == "Pod":
                pod = self.store.get("Pod", ns, str(ref.get("name")))
                pod_ref = controller_ref(pod) if pod is not None else None
                if pod_ref is not None:
                    self._enqueue_ref(ns, pod_ref)
        if not refs or ev.kind == "PersistentVolumeClaim":
            self._enqueue_selecting(ev.obj)

    def _enqueue_ref(self, namespace: str, ref: dict[str, object]) -> None:
        """Enqueue the StatefulSet a (controller) ownerReference names, if it still exists."""
        if ref.get("kind") != "StatefulSet":
            return
        sts = self.store.get("StatefulSet", namespace, str(ref.get("name")))
        if sts is not None and uid_of(sts) == ref.get("uid"):
            self.enqueue(make_key(namespace, name_of(sts)))

    def _enqueue_selecting(self, obj: Obj) -> None:
        """Enqueue every set in the namespace whose selector matches ``obj``'s labels."""
        for sts in self.store.list("StatefulSet", namespace_of(obj)):
            matcher = self._matcher(sts)
            if matcher is not None and matcher(labels_of(obj)):
                self.enqueue(make_key(namespace_of(sts), name_of(sts)))

    # -- sync -----------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Reconcile the StatefulSet ``key``."""
        namespace, name = split_key(key)
        sts = self.store.get("StatefulSet", namespace, name)
        if sts is None:
            self.forget(key)
            self._waiting.pop(key, None)
            self._resolved.pop(key, None)
            self._matchers.pop(key, None)
            self.tracker.forget(key)
            return
        if self._settled(key, sts):
            return
        try:
            errors = self._sync_set(key, sts)
        except spec.SpecError as exc:
            message = f"{self.name}: {exc}"
            if not self.errors or self.errors[-1] != message:
                log.warning("%s", message)
                self.errors.append(message)
            return
        if errors:
            self.retry_later(key)
        else:
            self.forget(key)

    def _settled(self, key: str, sts: Obj) -> bool:
        """Nothing a sync of ``sts`` reads changed since the last one, which changed nothing:
        skip this one (re-arming its minReadySeconds timer as it would). Otherwise the set is
        no longer settled."""
        kept = self.tracker.peek(key)
        if kept is None or kept.settled is None:
            return False
        settled, kept.settled = kept.settled, None
        if kept.roster is None or settled[0] is not sts or key in self._failures:
            return False
        if settled[1] != self._volatile(kept.roster):
            return False
        kept.settled = settled
        if settled[2] is not None:
            self.enqueue_after(key, settled[2] - self.clock.now())
        return True

    def _volatile(self, roster: Roster) -> tuple[int | None, tuple[int, int]]:
        """What a sync reads that changes without an event about the set's objects."""
        return self._create_limit(), roster.available_position(self.clock.now())

    def _settle(self, key: str, sts: Obj, roster: Roster, plan: control.Plan, status: bool) -> None:
        """The sync just done wrote nothing but (``status``) the status: the set is settled if
        that write left the revisions and collision count it read as they were, and the sync
        kept its roster with no pod left to retry (a failed adoption)."""
        kept = self.tracker.get(key, namespace_of(sts), name_of(sts))
        kept.settled = None
        if kept.roster is not roster or kept.dirty:
            return
        read = sts.get("status") or {}
        if status and (
            plan.status.current_revision != (read.get("currentRevision") or "")
            or plan.status.collision_count != read.get("collisionCount")
        ):
            return
        stored = self.store.get("StatefulSet", namespace_of(sts), name_of(sts))
        if stored is not None:
            kept.settled = (stored, self._volatile(roster), plan.available_at)

    def _sync_set(self, key: str, sts: Obj) -> list[str]:
        store = self.store
        version = store.resource_version
        matcher = self._selector(sts)
        revisions, revs = self._revisions(key, sts, matcher)
        roster = self._roster(key, sts, matcher, revs)
        plan = self._plan(key, sts, revs, roster)
        errors = self.pod_control.execute(plan)
        acted = store.resource_version != version
        version = store.resource_version
        write_status(store, sts, plan.status)
        status_written = store.resource_version != version
        version = store.resource_version
        truncate(self.history, sts, roster.labels(), revisions, revs)
        if plan.available_at is not None:
            self.enqueue_after(key, plan.available_at - self.clock.now())
        if not errors and not acted and store.resource_version == version:
            self._settle(key, sts, roster, plan, status_written)
        return errors

    def _revisions(self, key: str, sts: Obj, matcher: Matcher) -> tuple[list[Obj], Revisions]:
        """The set's revisions (adopting orphans), sorted, and the current and update ones."""
        listed = self.history.list(sts, matcher)
        orphans = [r for r in listed if controller_ref(r) is None]
        for revision in orphans:
            self.history.adopt(sts, revision)
        revisions = sort_revisions(self.history.list(sts, matcher) if orphans else listed)
        return revisions, self._resolve(key, sts, revisions)

    def _plan(self, key: str, sts: Obj, revs: Revisions, roster: Roster) -> control.Plan:
        """Plan the sync (:func:`control.plan`) and remember what holds the set back."""
        ns = namespace_of(sts)

        def claim(name: str) -> Obj | None:
            return self.store.get("PersistentVolumeClaim", ns, name)

        now, parse = self.clock.now(), self.clock.parse_timestamp
        inputs = control.Inputs(sts, [], revs, claim, now, parse, self._create_limit())
        plan = control.plan(inputs, roster)
        if plan.waiting is None:
            self._waiting.pop(key, None)
        else:
            self._waiting[key] = plan.waiting
        return plan

    def _create_limit(self) -> int | None:
        """Room under the playground's pod quota, plus one create that records why it failed."""
        limit = self.cluster.config.max_pods
        return None if limit is None else max(0, limit - self.store.count("Pod")) + 1

    def _resolve(self, key: str, sts: Obj, revisions: list[Obj]) -> Revisions:
        """:func:`resolve`, remembered while its inputs (template, collision count, current
        revision, the revisions' versions) stay the same and it wrote nothing."""
        status = sts.get("status") or {}
        inputs = (
            uid_of(sts),
            status.get("collisionCount"),
            status.get("currentRevision"),
            tuple((name_of(r), r["metadata"].get("resourceVersion")) for r in revisions),
        )
        template = spec.template(sts)
        kept = self._resolved.get(key)
        if kept is not None and kept[0] == inputs and kept[1] == template:
            return kept[2]
        revs = resolve(self.history, sts, revisions)
        if any(revs.update is r for r in revisions):
            self._resolved[key] = (inputs, template, revs)
        else:
            self._resolved.pop(key, None)
        return revs

    # -- the set's pods ---------------------------------------------------------------------------
    def _roster(self, key: str, sts: Obj, matcher: Matcher, revs: Revisions) -> Roster:
        """The set's pods as a roster: the kept one brought up to date with the pods that
        changed, or (another context, nothing kept) a fresh one from a full scan."""
        kept = self.tracker.get(key, namespace_of(sts), name_of(sts))
        context: Context = (
            uid_of(sts),
            sts["metadata"].get("deletionTimestamp"),
            name_of(revs.current),
            name_of(revs.update),
        )
        if kept.valid_for(context, sts.get("spec")) and kept.roster is not None:
            roster = kept.roster
            kept.roster = None  # until it is up to date: an exception here means rebuild
            if self._refresh(kept, roster, sts, matcher):
                kept.roster = roster
                return roster
        kept.take_dirty()
        pods = self._claim_pods(kept, sts, matcher)
        start = spec.start_ordinal(sts)
        end = start + spec.replicas(sts)
        roster = Roster.build(
            pods, start, end, spec.min_ready_seconds(sts), self.clock.parse_timestamp
        )
        kept.keep(roster, context, sts.get("spec"))
        return roster

    def _refresh(self, kept: Kept, roster: Roster, sts: Obj, matcher: Matcher) -> bool:
        """Bring the roster up to date with the pods that changed; False when it cannot be
        (two pods of one ordinal)."""
        for name in kept.take_dirty():
            pod = self.store.get("Pod", namespace_of(sts), name)
            owned = self._claim_pod(kept, sts, matcher, pod) if pod is not None else None
            if owned is None:
                roster.discard(name)
            elif not roster.put(owned):
                return False
        return True

    def _claim_pods(self, kept: Kept, sts: Obj, matcher: Matcher) -> list[Obj]:
        """The set's pods; adopts matching orphans and releases owned pods that stopped matching
        (controller.PodControllerRefManager.ClaimPods with the ``isMemberOf`` filter)."""
        owned = []
        for pod in self.store.list("Pod", namespace_of(sts)):
            mine = self._claim_pod(kept, sts, matcher, pod)
            if mine is not None:
                owned.append(mine)
        return owned

    def _claim_pod(self, kept: Kept, sts: Obj, matcher: Matcher, pod: Obj) -> Obj | None:
        """The pod if it is the set's (adopting a matching orphan, releasing an owned pod that
        stopped matching); a failed adoption or release is retried at the next sync."""
        deleting = spec.is_being_deleted(sts)
        ref = controller_ref(pod)
        matches = matcher(labels_of(pod)) and identity.is_member(sts, pod)
        if ref is not None and ref.get("uid") == uid_of(sts):
            if matches:
                return pod
            if not deleting and self._set_owner(pod, None) is None:
                kept.dirty[name_of(pod)] = None
        elif ref is None and matches and not deleting and not identity.is_terminating(pod):
            adopted = self._set_owner(pod, sts)
            if adopted is None:
                kept.dirty[name_of(pod)] = None
            return adopted
        return None

    def _set_owner(self, pod: Obj, sts: Obj | None) -> Obj | None:
        """Adopt (``sts``) or release (None) a pod; returns the stored pod."""
        ref = owner_reference(sts) if sts is not None else None
        try:
            return self.store.update(with_controller_ref(pod, ref))
        except StoreError as exc:
            log.warning("%s: cannot change the owner of pod %s: %s", self.name, name_of(pod), exc)
            return None

    def _selector(self, sts: Obj) -> Matcher:
        """The set's selector as a matcher, compiled once per selector; raises SpecError when
        it is missing or invalid."""
        key = make_key(namespace_of(sts), name_of(sts))
        selector = (sts.get("spec") or {}).get("selector")
        kept = self._matchers.get(key)
        if kept is not None and kept[0] == selector:
            return kept[1]
        try:
            matcher = from_label_selector(spec.selector(sts))
        except (SelectorError, KeyError, TypeError, AttributeError) as exc:
            where = f"StatefulSet {namespace_of(sts)}/{name_of(sts)}"
            raise spec.SpecError(f"{where}: spec.selector: {exc}") from exc
        self._matchers[key] = (copy_obj(selector), matcher)
        return matcher

    def _matcher(self, sts: Obj) -> Matcher | None:
        """:meth:`_selector`, or None when the selector is missing or invalid."""
        try:
            return self._selector(sts)
        except spec.SpecError:
            return None
