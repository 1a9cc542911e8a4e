"""The StatefulSet algorithm: (set, pods, revisions, claims, now) → a plan and a status value.

A faithful outline of STS-CTRL ``updateStatefulSet`` (k8s-semantics.md §1.3):

1. Pods whose ordinal lies in ``[start, start+replicas)`` are *replicas*, other parsable ones are
   *condemned* (highest ordinal first); a missing ordinal gets a planned, not yet created pod at
   the current revision (below the partition, RollingUpdate) or the update revision.
2. While the set is being deleted, only the status is computed.
3. Each replica, in ordinal order: a Failed/Succeeded pod is deleted; a missing pod is created
   (unless a stale claim blocks it); a Pending pod gets its missing claims; a broken identity,
   storage or claim ownership is repaired. **OrderedReady** stops at the first pod it created,
   and at the first pod that is Terminating, not Running and Ready, or not yet Available.
   **Parallel** runs every pod, in slow-start batches (1, 2, 4 … ≤ 500).
4. Condemned pods get their claim ownership for whenScaled, then are deleted: OrderedReady one
   per pass, waiting for the previous one to be gone, and refusing to delete an unhealthy pod
   unless it is the first unavailable one (so two unhealthy condemned pods are stuck).
5. OnDelete stops here; RollingUpdate deletes up to ``maxUnavailable − unavailable`` pods that are
   not at the update revision, from the highest ordinal down to the partition.

The plan is a list of :class:`Step` s; :mod:`pod_control` executes it. A failed action ends its
step and, once the steps of the same batch ran, the whole plan, like the error returns of the
real controller. The algorithm never touches the store: tests drive it with plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from engine.controllers.statefulset import identity, retention, spec
from engine.controllers.statefulset.revisions import Revisions, apply_revision
from engine.controllers.statefulset.status import Status
from engine.objects import Obj, name_of

#: slowStartBatch's cap on one batch.
MAX_BATCH = 500

Verb = Literal["create", "delete", "update", "claims", "retention"]


@dataclass(frozen=True)
class Action:
    """One call into pod control.

    ``create`` (claims, then the pod), ``delete``, ``update`` (repair identity/storage/claim
    ownership), ``claims`` (create missing claims of a Pending pod) or ``retention`` (claim
    ownership of a condemned pod). ``sts`` is the set (at the revision) the call is made with.
    """

    verb: Verb
    pod: Obj
    sts: Obj
    ignore_not_found: bool = False

    def __repr__(self) -> str:
        return f"{self.verb}({name_of(self.pod)})"


@dataclass
class Step:
    """The actions for one pod; steps sharing a ``batch`` run together."""

    batch: int
    actions: list[Action]


@dataclass
class Plan:
    """What one sync does: the steps, the status to record, and when to look again."""

    status: Status
    steps: list[Step] = field(default_factory=list)
    #: earliest clock time at which a Ready pod becomes Available (minReadySeconds)
    available_at: float | None = None
    #: what holds the set back, in the words of the controller's log ("waiting for Pod web-1
    #: to be Running and Ready"); None when nothing does
    waiting: str | None = None

    @property
    def actions(self) -> list[Action]:
        """Every planned action, in order."""
        return [a for s in self.steps for a in s.actions]


@dataclass
class Inputs:
    """Everything the algorithm reads."""

    sts: Obj
    pods: list[Obj]
    revisions: Revisions
    #: the PersistentVolumeClaim of that name in the set's namespace, if any
    claim: Callable[[str], Obj | None]
    now: float
    parse: Callable[[str], float]


class _Planner:
    """State of one pass (STS-CTRL ``updateStatefulSet``)."""

    def __init__(self, inp: Inputs) -> None:
        self.inp = inp
        self.sts = inp.sts
        self.current_set = apply_revision(inp.sts, inp.revisions.current)
        self.update_set = apply_revision(inp.sts, inp.revisions.update)
        self.current_name = name_of(inp.revisions.current)
        self.update_name = name_of(inp.revisions.update)
        self.min_ready = spec.min_ready_seconds(inp.sts)
        self.monotonic = not spec.allows_burst(inp.sts)
        self.steps: list[Step] = []
        self.next_batch = 0
        self.waiting: str | None = None
        self.replicas, self.condemned = self._partition()
        self.first_unavailable = self._first_unavailable()

    # -- predicates -----------------------------------------------------------------------
    def available(self, pod: Obj) -> bool:
        return identity.is_running_and_available(pod, self.min_ready, self.inp.now, self.inp.parse)

    def unavailable(self, pod: Obj) -> bool:
        return not self.available(pod) or identity.is_terminating(pod)

    # -- sorting pods ------------------------------------------------------------------------
    def _partition(self) -> tuple[list[Obj], list[Obj]]:
        start, count = spec.start_ordinal(self.sts), spec.replicas(self.sts)
        slots: list[Obj | None] = [None] * count
        condemned = []
        for pod in self.inp.pods:
            ordinal = identity.ordinal_of(pod)
            if start <= ordinal < start + count:
                slots[ordinal - start] = pod
            elif ordinal >= 0:
                condemned.append(pod)
        replicas = [
            pod if pod is not None else self._placeholder(start + i) for i, pod in enumerate(slots)
        ]
        condemned.sort(key=identity.ordinal_of, reverse=True)
        return replicas, condemned

    def _placeholder(self, ordinal: int) -> Obj:
        """A pod not created yet: its name and revision (:meth:`_build` makes the real one)."""
        at_current = identity.at_current_revision(self.current_set, ordinal)
        revision = self.current_name if at_current else self.update_name
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": identity.pod_name(self.sts, ordinal),
                "namespace": self.sts["metadata"].get("namespace", ""),
                "labels": {identity.REVISION_LABEL: revision},
            },
        }

    def _build(self, placeholder: Obj) -> Obj:
        """The full pod for a placeholder, from the template of its revision."""
        return identity.new_versioned_pod(
            self.current_set,
            self.update_set,
            self.current_name,
            self.update_name,
            identity.ordinal_of(placeholder),
        )

    def _first_unavailable(self) -> Obj | None:
        for pod in [*self.replicas, *reversed(self.condemned)]:
            if self.unavailable(pod):
                return pod
        return None

    # -- batches ---------------------------------------------------------------------------
    def run_for_all(self, pods: list[Obj], fn: Callable[[Obj], tuple[list[Action], bool]]) -> bool:
        """STS-CTRL ``runForAll``: True when a monotonic pass must stop here."""
        if self.monotonic:
            for pod in pods:
                actions, stop = fn(pod)
                self._add_step(self.next_batch, actions)
                self.next_batch += 1
                if stop:
                    return True
            return False
        size, index = 1, 0
        while index < len(pods):
            for pod in pods[index : index + size]:
                self._add_step(self.next_batch, fn(pod)[0])
            self.next_batch += 1
            index += size
            size = min(2 * size, MAX_BATCH)
        return False

    def _add_step(self, batch: int, actions: list[Action]) -> None:
        if actions:
            self.steps.append(Step(batch, actions))

    # -- claims ------------------------------------------------------------------------------
    def _claims_of(self, sts: Obj, pod: Obj) -> list[Obj]:
        names = identity.claim_names(sts, identity.ordinal_of(pod))
        return [c for c in (self.inp.claim(n) for n in names) if c is not None]

    def claim_is_stale(self, pod: Obj) -> bool:
        """STS-POD ``PodClaimIsStale``: whenScaled=Delete and a claim owned by an old pod."""
        if spec.retention_policy(self.sts)[1] == spec.RETAIN:
            return False
        return any(retention.claim_is_stale_for_pod(c, pod) for c in self._claims_of(self.sts, pod))

    def claims_match_policy(self, pod: Obj) -> bool:
        """STS-POD ``ClaimsMatchRetentionPolicy`` (missing claims match)."""
        return all(
            retention.is_claim_owner_up_to_date(c, self.update_set, pod)
            for c in self._claims_of(self.update_set, pod)
        )

    # -- replicas ----------------------------------------------------------------------------
    def process_replica(self, pod: Obj) -> tuple[list[Action], bool]:
        """STS-CTRL ``processReplica``: (actions, stop-if-monotonic)."""
        name = name_of(pod)
        if identity.is_failed(pod) or identity.is_succeeded(pod):
            if identity.is_terminating(pod):
                return self._wait(f"waiting for Pod {name} to terminate")
            return [Action("delete", pod, self.sts)], True
        if not identity.is_created(pod):
            if self.claim_is_stale(pod):
                return self._wait(f"waiting for the claims of an earlier Pod {name} to be deleted")
            return [Action("create", self._build(pod), self.sts)], True
        actions = []
        if identity.is_pending(pod):
            actions.append(Action("claims", pod, self.sts))
        if self.monotonic:
            if identity.is_terminating(pod):
                return self._wait(f"waiting for Pod {name} to terminate", actions)
            if not identity.is_running_and_ready(pod):
                return self._wait(f"waiting for Pod {name} to be Running and Ready", actions)
            if not self.available(pod):
                return self._wait(f"waiting for Pod {name} to be Available", actions)
        if not (
            identity.identity_matches(self.sts, pod)
            and identity.storage_matches(self.sts, pod)
            and self.claims_match_policy(pod)
        ):
            actions.append(Action("update", pod, self.update_set))
        return actions, False

    # -- condemned ----------------------------------------------------------------------------
    def fix_claims(self, pod: Obj) -> tuple[list[Action], bool]:
        """Condemned pods' claims get the ownership their policy wants (pod owner for Delete)."""
        if self.claims_match_policy(pod):
            return [], False
        return [Action("retention", pod, self.update_set)], False

    def process_condemned(self, pod: Obj) -> tuple[list[Action], bool]:
        """STS-CTRL ``processCondemned``: (actions, stop-if-monotonic)."""
        if identity.is_terminating(pod):
            return self._wait(f"waiting for Pod {name_of(pod)} to terminate prior to scale down")
        healthy = identity.is_running_and_ready(pod) and self.available(pod)
        if self.monotonic and not healthy and pod is not self.first_unavailable:
            state = "Running and Ready" if not identity.is_running_and_ready(pod) else "Available"
            first = name_of(self.first_unavailable or pod)
            return self._wait(f"waiting for Pod {first} to be {state} prior to scale down")
        return [Action("delete", pod, self.sts)], True

    def _wait(self, reason: str, actions: list[Action] | None = None) -> tuple[list[Action], bool]:
        """Stop here (OrderedReady) and say why."""
        if self.monotonic and self.waiting is None:
            self.waiting = reason
        return actions or [], True

    # -- rolling update -----------------------------------------------------------------------
    def rolling_update(self, status: Status) -> None:
        """1.35 ``updateStatefulSetAfterInvariantEstablished`` (MaxUnavailable path)."""
        budget = spec.max_unavailable(self.sts)
        unavailable = sum(1 for p in self.replicas if self.unavailable(p))
        if unavailable >= budget:
            if any(identity.pod_revision(p) != self.update_name for p in self.replicas):
                self.waiting = (
                    f"waiting for {unavailable} unavailable Pod(s) before updating more "
                    f"(maxUnavailable {budget})"
                )
            return
        deletions: list[Action] = []
        for pod in reversed(self.replicas[spec.partition(self.sts) :]):
            if len(deletions) >= budget - unavailable:
                break
            old = identity.pod_revision(pod) != self.update_name
            if old and identity.is_created(pod) and not identity.is_terminating(pod):
                deletions.append(Action("delete", pod, self.sts, ignore_not_found=True))
                status.current_replicas -= 1
        for action in deletions:
            self._add_step(self.next_batch, [action])
            self.next_batch += 1

    # -- the pass -----------------------------------------------------------------------------
    def new_status(self) -> Status:
        revs = self.inp.revisions
        status = Status(
            observed_generation=int(self.sts["metadata"].get("generation") or 0),
            current_revision=self.current_name,
            update_revision=self.update_name,
            collision_count=revs.collision_count,
        )
        status.count(self.inp.pods, self.min_ready, self.inp.now, self.inp.parse)
        return status

    def recount(self, status: Status) -> None:
        pods = [*self.replicas, *self.condemned]
        status.count(pods, self.min_ready, self.inp.now, self.inp.parse)

    def run(self) -> Status:
        status = self.new_status()
        if spec.is_being_deleted(self.sts):
            return status
        phases = (
            (self.replicas, self.process_replica),
            (self.condemned, self.fix_claims),
            (self.condemned, self.process_condemned),
        )
        for targets, phase in phases:
            if self.run_for_all(targets, phase):
                self.recount(status)
                return status
        self.recount(status)
        if spec.update_strategy_type(self.sts) != spec.ON_DELETE:
            self.rolling_update(status)
        return status

    def available_at(self) -> float | None:
        """When the next Ready-but-not-yet-Available pod turns Available."""
        if self.min_ready == 0:
            return None
        times = [
            since + self.min_ready
            for pod in self.inp.pods
            if identity.is_running_and_ready(pod)
            and not self.available(pod)
            and (since := identity.ready_since(pod, self.inp.parse)) is not None
        ]
        return min(times, default=None)


def plan(inp: Inputs) -> Plan:
    """Decide what one sync of ``inp.sts`` does."""
    planner = _Planner(inp)
    status = planner.run()
    return Plan(status, planner.steps, planner.available_at(), planner.waiting)
