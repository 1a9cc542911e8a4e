"""What one StatefulSet sync decides: a :class:`Plan` of :class:`Step` s of :class:`Action` s,
the :class:`Inputs` it is decided from, and slowStartBatch's batch numbering.

:mod:`.control` makes plans, :mod:`.pod_control` executes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from engine.controllers.statefulset.revisions import Revisions
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
    #: at most this many missing pods are planned for creation (None: all). The playground's
    #: pod quota (engine/pod_quota.py) refuses creates past its room anyway, and execution
    #: stops at the first failing batch, so planning more than room + 1 would only cost time
    #: (and ``--replicas=2147483647`` would never finish planning).
    create_limit: int | None = None


def batch_of(position: int) -> int:
    """slowStartBatch: the batch of the pod at ``position`` (batches of 1, 2, 4 … ≤ 500)."""
    if position < _DOUBLING_END:
        return (position + 1).bit_length() - 1
    return _DOUBLING_BATCHES + (position - _DOUBLING_END) // MAX_BATCH


def batch_count(count: int) -> int:
    """How many slow-start batches ``count`` pods take."""
    return batch_of(count - 1) + 1 if count else 0


#: The doubling batches (1, 2 … 256) before the cap, and the positions they cover.
_DOUBLING_BATCHES = (MAX_BATCH - 1).bit_length()
_DOUBLING_END = (1 << _DOUBLING_BATCHES) - 1
