"""The vocabulary of the kubelet's stage table (:mod:`engine.stages`).

A :class:`Stage` is one row a stage function returns for a pod's runtime record: what it is
(``name``), which container it acts on (``target``, "" for the whole pod), when it is ``due``,
and what happens when it fires. Stages touch the world only through a :class:`StageContext`
(events, images on the node, pod IPs), which keeps them testable and free of store writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from engine.config import Timings
from engine.objects import Obj
from engine.pod_runtime import ContainerRun, PodRun


class StageContext(Protocol):
    """What stages may do besides changing the runtime record."""

    timings: Timings

    def now(self) -> float:
        """Current simulated time."""
        ...

    def event(self, type_: str, reason: str, message: str) -> None:
        """Record an event about the pod (component ``kubelet``)."""
        ...

    def image_present(self, image: str) -> bool:
        """Whether the node already has ``image``."""
        ...

    def remember_image(self, image: str) -> None:
        """Note that the node now has ``image``."""
        ...

    def allocate_ip(self) -> str:
        """A pod IP from the node's pod CIDR ("" when the range is exhausted)."""
        ...

    def terminated(self, c: ContainerRun) -> dict[str, object]:
        """The rendered ``terminated`` state of a container (for lastState)."""
        ...


Action = Callable[[PodRun, Obj, StageContext], None]


class Stage:
    """One row of the table (read-only once built; a plain slotted class because the
    kubelet builds several per sync)."""

    __slots__ = ("due", "enter", "fire", "ident", "name", "target")

    def __init__(
        self, name: str, target: str, due: float, fire: Action, enter: Action | None = None
    ) -> None:
        self.name = name
        self.target = target
        self.due = due
        self.fire = fire
        self.enter = enter
        #: identity used to tell a new stage from the one already pending
        self.ident = f"{name}:{target}"

    def __repr__(self) -> str:
        return f"Stage({self.name!r}, {self.target!r}, {self.due!r})"


def since(run: PodRun, ident: str, ctx: StageContext) -> float:
    """When the stage ``ident`` first applied (now, the first time it is asked)."""
    return run.anchors.setdefault(ident, ctx.now())


def spec_container(pod: Obj, name: str) -> dict[str, Any]:
    """The spec of the (init) container called ``name`` (empty dict when gone)."""
    spec = pod.get("spec") or {}
    if spec is not _by_name[0]:  # the stages ask about one stored, read-only spec in a row
        table: dict[Any, dict[str, Any]] = {}
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            table.setdefault(c.get("name"), c)
        _by_name[0], _by_name[1] = spec, table
    found = _by_name[1].get(name)
    return found if found is not None else {}


#: the spec :func:`spec_container` last indexed (held, so its id is not reused) and the index
_by_name: list[Any] = [None, {}]


def grace_period(pod: Obj) -> float:
    """The deletion grace period in force (deletionGracePeriodSeconds, else the spec's)."""
    grace = pod["metadata"].get("deletionGracePeriodSeconds")
    if grace is None:
        grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
    return float(grace)
