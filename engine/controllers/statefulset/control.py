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

The pods come as a :class:`~engine.controllers.statefulset.roster.Roster`, so the walks cost
what changed: step 3 visits only the missing ordinals (found by bisection) and the roster's
suspects, in ordinal order, giving each step the batch number its position would have in the
full walk; the status counters, the unavailable count and the outdated pods of step 5 come from
the roster's counters and sorted ordinals. A pod the walk skips is one whose last visit found
nothing to do and that has not changed since, so the plan is the one a walk over every pod
makes (``tests/engine/test_statefulset_roster.py`` checks exactly that against the full walk).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator

from engine.controllers.statefulset import identity, retention, spec
from engine.controllers.statefulset.revisions import with_revision
from engine.controllers.statefulset.roster import Roster
from engine.controllers.statefulset.status import Status
from engine.controllers.statefulset.steps import (
    MAX_BATCH,
    Action,
    Inputs,
    Plan,
    Step,
    Verb,
    batch_count,
    batch_of,
)
from engine.objects import Obj, name_of

__all__ = [
    "MAX_BATCH",
    "Action",
    "Inputs",
    "Plan",
    "Step",
    "Verb",
    "batch_count",
    "batch_of",
    "plan",
]


class _Planner:
    """State of one pass (STS-CTRL ``updateStatefulSet``).

    The pods come as a :class:`~engine.controllers.statefulset.roster.Roster`: the replica
    phase visits only the missing ordinals and the roster's suspects, in ordinal order, and the
    status comes from its counters; every pod it does not visit would have yielded no action.
    """

    def __init__(self, inp: Inputs, roster: Roster) -> None:
        self.inp = inp
        self.sts = inp.sts
        self.roster = roster
        self.current_set = with_revision(inp.sts, inp.revisions.current)
        self.update_set = with_revision(inp.sts, inp.revisions.update)
        self.current_name = name_of(inp.revisions.current)
        self.update_name = name_of(inp.revisions.update)
        self.min_ready = spec.min_ready_seconds(inp.sts)
        self.monotonic = not spec.allows_burst(inp.sts)
        self.start = spec.start_ordinal(inp.sts)
        self.count = spec.replicas(inp.sts)
        self.end = self.start + self.count
        self.steps: list[Step] = []
        self.next_batch = 0
        self.waiting: str | None = None
        self.condemned = roster.condemned(self.start, self.end)
        if next(roster.missing(self.start, self.end), None) is not None:
            spec.partition(inp.sts)  # a missing pod's revision needs it: a bad value fails here
        self._first_unavailable: tuple[Obj | None] | None = None
        self._claim_prefixes: list[str] | None = None

    # -- predicates -----------------------------------------------------------------------
    def available(self, pod: Obj) -> bool:
        return identity.is_running_and_available(pod, self.min_ready, self.inp.now, self.inp.parse)

    def unavailable(self, pod: Obj) -> bool:
        return not self.available(pod) or identity.is_terminating(pod)

    # -- pods by ordinal -----------------------------------------------------------------------
    def replica(self, ordinal: int) -> Obj:
        """The replica at ``ordinal``: its pod, or a placeholder for a missing one."""
        facts = self.roster.by_ordinal.get(ordinal)
        return facts.pod if facts is not None else self._placeholder(ordinal)

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

    def first_unavailable(self) -> Obj | None:
        """The first unavailable pod of ``[*replicas, *reversed(condemned)]`` (rarely needed,
        so found by a walk)."""
        if self._first_unavailable is None:
            self._first_unavailable = (self._find_first_unavailable(),)
        return self._first_unavailable[0]

    def _find_first_unavailable(self) -> Obj | None:
        if self.min_ready:  # a healthy pod may not be Available yet: walk
            for ordinal in range(self.start, self.end):
                pod = self.replica(ordinal)
                if self.unavailable(pod):
                    return pod
        else:  # unavailable ⇔ missing or unhealthy
            candidates = [
                next(self.roster.missing(self.start, self.end), None),
                self.roster.first_unhealthy(self.start, self.end),
            ]
            first = min((o for o in candidates if o is not None), default=None)
            if first is not None:
                return self.replica(first)
        for facts in reversed(self.condemned):
            if self.unavailable(facts.pod):
                return facts.pod
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

    def _batch(self, base: int, position: int) -> int:
        return base + (position if self.monotonic else batch_of(position))

    def _end_batches(self, base: int, count: int) -> None:
        self.next_batch = base + (count if self.monotonic else batch_count(count))

    def _add_step(self, batch: int, actions: list[Action]) -> None:
        if actions:
            self.steps.append(Step(batch, actions))

    def _quiet(self, actions: list[Action], stop: bool) -> bool:
        """The verdict changes nothing in the plan (so the pod need not be visited again)."""
        return not actions and not (stop and self.monotonic)

    def _replica_ordinals(self) -> Iterator[int]:
        """The replica ordinals worth visiting, ascending: suspects and missing ones."""
        suspects = sorted(o for o in self.roster.suspects if self.start <= o < self.end)
        last = None
        missing: Iterable[int] = self.roster.missing(self.start, self.end)
        if self.inp.create_limit is not None:
            missing = itertools.islice(missing, self.inp.create_limit)
        for ordinal in heapq.merge(suspects, missing):
            if ordinal != last:
                yield ordinal
            last = ordinal

    def run_replicas(self) -> bool:
        """``runForAll(replicas, processReplica)`` over the ordinals worth visiting."""
        base = self.next_batch
        for ordinal in self._replica_ordinals():
            actions, stop = self.process_replica(self.replica(ordinal))
            if self._quiet(actions, stop):
                self.roster.suspects.discard(ordinal)
                continue
            self._add_step(self._batch(base, ordinal - self.start), actions)
            if stop and self.monotonic:
                self.next_batch = base + ordinal - self.start + 1
                return True
        self._end_batches(base, self.count)
        return False

    def run_condemned_claims(self) -> None:
        """``runForAll(condemned, fixClaims)`` over the suspects (it never stops)."""
        base = self.next_batch
        suspects = self.roster.suspects
        quiet = set()
        for position, facts in enumerate(self.condemned):
            if facts.ordinal not in suspects:
                continue
            actions, _ = self.fix_claims(facts.pod)
            if not actions:
                quiet.add(facts.ordinal)
            self._add_step(self._batch(base, position), actions)
        suspects -= quiet
        self._end_batches(base, len(self.condemned))

    # -- claims ------------------------------------------------------------------------------
    def _claims_of(self, sts: Obj, pod: Obj) -> list[Obj]:
        """The pod's existing claims (``sts`` and its revisions share the claim templates)."""
        if self._claim_prefixes is None:
            templates = spec.claim_templates(sts)
            self._claim_prefixes = [f"{t['metadata']['name']}-{name_of(sts)}-" for t in templates]
        ordinal = identity.ordinal_of(pod)
        found = (self.inp.claim(f"{prefix}{ordinal}") for prefix in self._claim_prefixes)
        return [c for c in found if c is not None]

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
        if not (self._shape_matches(pod) and self.claims_match_policy(pod)):
            actions.append(Action("update", pod, self.update_set))
        return actions, False

    def _shape_matches(self, pod: Obj) -> bool:
        """Identity and storage match the set; remembered per pod version in the roster (the
        roster lives no longer than the set's spec)."""
        name = name_of(pod)
        known = self.roster.shapes.get(name)
        if known is not None and known[0] is pod:
            return known[1]
        matches = identity.identity_matches(self.sts, pod) and identity.storage_matches(
            self.sts, pod
        )
        if identity.is_created(pod):
            self.roster.shapes[name] = (pod, matches)
        return matches

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
        if self.monotonic and not healthy and pod is not self.first_unavailable():
            state = "Running and Ready" if not identity.is_running_and_ready(pod) else "Available"
            first = name_of(self.first_unavailable() or pod)
            return self._wait(f"waiting for Pod {first} to be {state} prior to scale down")
        return [Action("delete", pod, self.sts)], True

    def _wait(self, reason: str, actions: list[Action] | None = None) -> tuple[list[Action], bool]:
        """Stop here (OrderedReady) and say why."""
        if self.monotonic and self.waiting is None:
            self.waiting = reason
        return actions or [], True

    # -- rolling update -----------------------------------------------------------------------
    def _unavailable_replicas(self) -> int:
        """Replicas (missing ones included) that are unavailable or terminating."""
        roster, now = self.roster, self.inp.now
        fine = roster.healthy_available_count(now)
        fine -= sum(1 for f in self.condemned if not f.terminating and roster.available(f, now))
        return self.count - fine

    def _any_replica_outdated(self) -> bool:
        """Some replica (a missing one: at its planned revision) is not at the update revision."""
        in_range = self.roster.members_between(self.start, self.end)
        updated = self.roster.revisions[self.update_name] - sum(
            1 for f in self.condemned if f.revision == self.update_name
        )
        if updated < in_range:
            return True
        if self.current_name == self.update_name:
            return False
        # placeholders below the partition are at the current revision: the lowest decides
        first = next(self.roster.missing(self.start, self.end), None)
        return first is not None and identity.at_current_revision(self.current_set, first)

    def rolling_update(self, status: Status) -> None:
        """1.35 ``updateStatefulSetAfterInvariantEstablished`` (MaxUnavailable path)."""
        budget = spec.max_unavailable(self.sts)
        unavailable = self._unavailable_replicas()
        if unavailable >= budget:
            if self._any_replica_outdated():
                self.waiting = (
                    f"waiting for {unavailable} unavailable Pod(s) before updating more "
                    f"(maxUnavailable {budget})"
                )
            return
        lowest = self.start + spec.partition(self.sts)
        outdated = self.roster.outdated_live(lowest, self.end, self.update_name)
        for facts in itertools.islice(outdated, budget - unavailable):
            action = Action("delete", facts.pod, self.sts, ignore_not_found=True)
            status.current_replicas -= 1
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
        self.recount(status)
        if self.roster.dropped:
            extra = Status(current_revision=self.current_name, update_revision=self.update_name)
            extra.count(
                [f.pod for f in self.roster.dropped], self.min_ready, self.inp.now, self.inp.parse
            )
            status.add_counts(extra)
        return status

    def recount(self, status: Status) -> None:
        """The pod counters from the roster (its members and condemned extras)."""
        roster, now = self.roster, self.inp.now
        lives = roster.live_by_revision
        status.replicas = roster.created
        status.ready_replicas = roster.ready
        status.available_replicas = roster.available_count(now)
        status.current_replicas = len(lives.get(self.current_name, ()))
        status.updated_replicas = len(lives.get(self.update_name, ()))

    def run(self) -> Status:
        status = self.new_status()
        if spec.is_being_deleted(self.sts):
            return status
        if self.run_replicas():
            self.recount(status)
            return status
        self.run_condemned_claims()
        if self.run_for_all([f.pod for f in self.condemned], self.process_condemned):
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
            for facts in self.roster.dropped
            if facts.ready
            and not self.roster.available(facts, self.inp.now)
            and (since := facts.since) is not None
        ]
        following = self.roster.next_available_at(self.inp.now)
        if following is not None:
            times.append(following)
        return min(times, default=None)


def plan(inp: Inputs, roster: Roster | None = None) -> Plan:
    """Decide what one sync of ``inp.sts`` does.

    ``roster`` is the set's pods as a kept :class:`Roster` (the controller's); without one,
    a fresh roster of ``inp.pods`` is built (every pod a suspect).
    """
    if roster is None:
        start = spec.start_ordinal(inp.sts)
        end = start + spec.replicas(inp.sts)
        roster = Roster.build(inp.pods, start, end, spec.min_ready_seconds(inp.sts), inp.parse)
    planner = _Planner(inp, roster)
    status = planner.run()
    return Plan(status, planner.steps, planner.available_at(), planner.waiting)
