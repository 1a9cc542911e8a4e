"""The StatefulSet algorithm as first written: every sync walks every pod (a test oracle).

This is the straightforward reading of STS-CTRL ``updateStatefulSet`` that
:mod:`engine.controllers.statefulset.control` replaced with a walk over a kept
:class:`~engine.controllers.statefulset.roster.Roster` (missing ordinals and suspects only).
``test_statefulset_roster`` runs random histories and checks that every plan the controller
makes from its kept roster equals the plan this version makes from a full scan of the store.
It is kept verbatim apart from using the engine's Action/Step/Plan/Inputs classes.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.controllers.statefulset import identity, retention, spec
from engine.controllers.statefulset.control import MAX_BATCH, Action, Inputs, Plan, Step
from engine.controllers.statefulset.revisions import apply_revision
from engine.controllers.statefulset.status import Status
from engine.objects import Obj, name_of


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
