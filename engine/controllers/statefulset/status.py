"""StatefulSet status as a value, and the one place it is written (STS-CTRL, STS-UTIL).

``status.replicas`` counts created pods (Terminating ones included), ``readyReplicas`` Running and
Ready ones, ``availableReplicas`` those Ready for at least minReadySeconds, and
``currentReplicas`` / ``updatedReplicas`` the non-terminating pods labelled with the current /
update revision. A RollingUpdate completes (``currentRevision := updateRevision``) once every
replica is updated and ready. The status is written only when it differs from the stored one
(``inconsistentStatus``), in the field order and with the zero-value omissions of the real API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from engine.controllers.statefulset import identity, spec
from engine.objects import Obj, copy_obj, name_of, namespace_of
from engine.store import Store


@dataclass
class Status:
    """apps/v1 StatefulSetStatus (without conditions, which this controller never sets)."""

    observed_generation: int = 0
    replicas: int = 0
    ready_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0
    current_revision: str = ""
    update_revision: str = ""
    collision_count: int = 0
    available_replicas: int = 0

    def count(
        self,
        pods: Iterable[Obj],
        min_ready_seconds: int,
        now: float,
        parse: Callable[[str], float],
    ) -> None:
        """Reset the pod counters and count ``pods`` (STS-CTRL ``updateStatus``)."""
        self.replicas = self.ready_replicas = self.available_replicas = 0
        self.current_replicas = self.updated_replicas = 0
        for pod in pods:
            created = identity.is_created(pod)
            self.replicas += created
            if identity.is_running_and_ready(pod):
                self.ready_replicas += 1
                if identity.is_running_and_available(pod, min_ready_seconds, now, parse):
                    self.available_replicas += 1
            if created and not identity.is_terminating(pod):
                revision = identity.pod_revision(pod)
                self.current_replicas += revision == self.current_revision
                self.updated_replicas += revision == self.update_revision

    def add_counts(self, other: Status) -> None:
        """Add ``other``'s pod counters to these."""
        self.replicas += other.replicas
        self.ready_replicas += other.ready_replicas
        self.available_replicas += other.available_replicas
        self.current_replicas += other.current_replicas
        self.updated_replicas += other.updated_replicas

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: Go field order, omitempty fields left out when zero."""
        out: dict[str, Any] = {}
        if self.observed_generation:
            out["observedGeneration"] = self.observed_generation
        out["replicas"] = self.replicas
        for key, value in (
            ("readyReplicas", self.ready_replicas),
            ("currentReplicas", self.current_replicas),
            ("updatedReplicas", self.updated_replicas),
            ("currentRevision", self.current_revision),
            ("updateRevision", self.update_revision),
        ):
            if value:
                out[key] = value
        out["collisionCount"] = self.collision_count
        out["availableReplicas"] = self.available_replicas
        return out


def complete_rolling_update(sts: Obj, status: Status) -> None:
    """When a RollingUpdate has every replica updated and ready, the update revision becomes
    the current one (STS-UTIL ``completeRollingUpdate``)."""
    want = spec.replicas(sts)
    if (
        spec.update_strategy_type(sts) == spec.ROLLING_UPDATE
        and status.updated_replicas == want
        and status.ready_replicas == want
        and status.replicas == want
    ):
        status.current_replicas = status.updated_replicas
        status.current_revision = status.update_revision


def inconsistent(sts: Obj, status: Status) -> bool:
    """The stored status differs in a field the controller owns (STS-UTIL
    ``inconsistentStatus``; collisionCount alone does not trigger a write)."""
    stored = sts.get("status") or {}
    return (
        status.observed_generation > int(stored.get("observedGeneration") or 0)
        or status.replicas != int(stored.get("replicas") or 0)
        or status.current_replicas != int(stored.get("currentReplicas") or 0)
        or status.ready_replicas != int(stored.get("readyReplicas") or 0)
        or status.updated_replicas != int(stored.get("updatedReplicas") or 0)
        or status.current_revision != (stored.get("currentRevision") or "")
        or status.available_replicas != int(stored.get("availableReplicas") or 0)
        or status.update_revision != (stored.get("updateRevision") or "")
    )


def write(store: Store, sts: Obj, status: Status) -> bool:
    """Complete a finished rollout, then write ``status`` if it changed; returns whether it
    wrote. The spec is never touched (the status subresource)."""
    complete_rolling_update(sts, status)
    if not inconsistent(sts, status):
        return False
    current = store.get("StatefulSet", namespace_of(sts), name_of(sts))
    if current is None:
        return False
    stored = current.get("status") or {}
    new = status.to_dict()
    if stored.get("conditions"):
        new["conditions"] = copy_obj(stored["conditions"])
    store.update({**current, "status": new})  # the store copies what it keeps
    return True
