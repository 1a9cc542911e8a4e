"""What a check looks at (:class:`Context`) and what it answers (:class:`Outcome`).

A check reads the cluster and answers pass or fail with a reason that says what it saw
(``statefulset web has 2 ready replicas, want 3``), so a learner or an instructor knows why a
task is not done. The context also carries the *baseline*: the UIDs of the objects of the
starting state, so a check can tell a recreated pod (or claim) from the original one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.objects import Obj, key_of, uid_of

if TYPE_CHECKING:
    from engine.cluster import Cluster


@dataclass(frozen=True)
class Outcome:
    """A check's verdict and what it saw."""

    ok: bool
    reason: str


def passed(reason: str) -> Outcome:
    """A passing outcome."""
    return Outcome(True, reason)


def failed(reason: str) -> Outcome:
    """A failing outcome."""
    return Outcome(False, reason)


@dataclass
class Context:
    """The cluster under test, the exercise's namespace, and the starting state's UIDs."""

    cluster: Cluster
    namespace: str = "default"
    baseline: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def starting(cls, cluster: Cluster, namespace: str) -> Context:
        """A context whose baseline is the cluster as it is now."""
        baseline = {
            key_of(obj): uid_of(obj)
            for obj in cluster.store.all_objects()
            if obj["kind"] != "Event"
        }
        return cls(cluster, namespace, baseline)

    def ns(self, fields: dict[str, Any]) -> str:
        """The namespace a check means: its own ``namespace`` field or the exercise's."""
        value = fields.get("namespace")
        return str(value) if value else self.namespace

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """Store read."""
        return self.cluster.store.get(kind, namespace, name)


def ref(kind: str, name: str) -> str:
    """``statefulset web``, ``pod web-0`` — how reasons name objects."""
    return f"{kind.lower()} {name}"


def show(value: Any) -> str:
    """A value as a reason shows it (JSON, so strings are quoted and types are visible)."""
    if value is None:
        return "unset"
    return json.dumps(value, sort_keys=True)
