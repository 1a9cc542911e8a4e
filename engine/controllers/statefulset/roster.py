"""A StatefulSet's pods by ordinal, with the facts and counts the algorithm reads (a roster).

The algorithm in :mod:`control` walks the replicas in ordinal order and counts pods for the
status. Done naively that is a walk over every pod on every sync, quadratic while an
OrderedReady set grows one pod per sync. A :class:`Roster` keeps what those walks need so that
a sync costs what changed:

* :class:`Facts` — what the algorithm reads of one pod (created, Failed/Succeeded, Pending,
  Terminating, Running and Ready, Ready since, revision label), computed once per pod version;
* ``ordinals`` — the members' ordinals, sorted, so the missing ordinals (pods to create) are
  found by bisection, not by walking the present ones;
* the status counters (created, Ready, Available, per-revision live pods) kept as pods come
  and go; with ``minReadySeconds`` the Ready-since instants are kept sorted, so "Available
  now" and "the next pod to turn Available" are bisections too;
* ``suspects`` — the ordinals whose pod *may* need work. The algorithm evaluates those (and
  the missing ordinals) only, and drops a suspect once it found nothing to do. A suspect that
  turns out to be quiet is harmless; the invariant is that every pod that needs work is a
  suspect. The owner (the controller) marks an ordinal suspect whenever its pod or one of its
  claims changes, and throws the roster away whenever anything else the verdicts read changes
  (the set's spec, uid, deletion, revisions), so a fresh roster suspects every pod.

:func:`Roster.build` makes a roster from a list of pods exactly as the algorithm sees it:
within ``[start, end)`` a later pod of the same ordinal wins its slot and the earlier one is
*dropped* (counted in the first status count only), pods with no ordinal are dropped, and
condemned pods sharing an ordinal are all kept, in list order. Such a roster is *irregular*:
it is correct for the sync it was built for but cannot be maintained incrementally.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.controllers.statefulset import identity
from engine.objects import Obj, name_of

Parse = Callable[[str], float]


@dataclass(slots=True)
class Facts:
    """What the algorithm reads of one pod version."""

    pod: Obj
    name: str
    ordinal: int
    created: bool
    terminating: bool
    #: phase Running and the Ready condition True
    ready: bool
    #: clock time of the Ready condition's transition (None when not ready or unreadable)
    since: float | None
    revision: str

    @classmethod
    def of(cls, pod: Obj, parse: Parse | None) -> Facts:
        """The facts of ``pod``; ``since`` is read only with a ``parse`` (it matters only with
        minReadySeconds, and parsing timestamps is slow)."""
        md = pod["metadata"]
        name = name_of(pod)
        ready = identity.is_running_and_ready(pod)
        return cls(
            pod=pod,
            name=name,
            ordinal=identity.parent_and_ordinal(name)[1],
            created=bool(md.get("uid")),
            terminating=md.get("deletionTimestamp") is not None,
            ready=ready,
            since=identity.ready_since(pod, parse) if ready and parse is not None else None,
            revision=(md.get("labels") or {}).get(identity.REVISION_LABEL, ""),
        )

    def counted_as(self, other: Facts) -> bool:
        """Both versions count the same in every counter (only the pod object differs)."""
        return (
            self.created == other.created
            and self.terminating == other.terminating
            and self.ready == other.ready
            and self.since == other.since
            and self.revision == other.revision
        )

    @property
    def healthy(self) -> bool:
        """Running, Ready and not terminating."""
        return self.ready and not self.terminating

    @property
    def live(self) -> bool:
        """Created and not terminating (counted as current/updated by revision)."""
        return self.created and not self.terminating


class Roster:
    """The pods of one StatefulSet by ordinal, with incrementally kept counts."""

    def __init__(self, min_ready: int, parse: Parse) -> None:
        self.min_ready = min_ready
        self.parse = parse
        self.by_ordinal: dict[int, Facts] = {}
        self.by_name: dict[str, Facts] = {}
        #: members' ordinals, sorted
        self.ordinals: list[int] = []
        #: ordinals whose pod may need work (see the module docstring)
        self.suspects: set[int] = set()
        #: identity-and-storage verdicts by pod name, with the pod version they are about
        self.shapes: dict[str, tuple[Obj, bool]] = {}
        #: condemned pods sharing an ordinal with a member, in list order (irregular)
        self.condemned_extra: list[Facts] = []
        #: pods the algorithm's partition drops (irregular; counted in the first count only)
        self.dropped: list[Facts] = []
        self.created = 0
        self.ready = 0
        self.healthy = 0
        #: sorted ``since + minReadySeconds`` of Ready members (only with minReadySeconds)
        self.ready_keys: list[float] = []
        #: the same for healthy members
        self.healthy_keys: list[float] = []
        #: members that are not Running and Ready, or terminating: their ordinals, sorted
        self.unhealthy: list[int] = []
        #: members by revision label (all)
        self.revisions: Counter[str] = Counter()
        #: live members' ordinals by revision label, sorted
        self.live_by_revision: dict[str, list[int]] = {}

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, pods: list[Obj], start: int, end: int, min_ready: int, parse: Parse) -> Roster:
        """The roster of ``pods`` as the algorithm partitions them for ``[start, end)``."""
        roster = cls(min_ready, parse)
        for pod in pods:
            facts = Facts.of(pod, roster.since_parse)
            ordinal = facts.ordinal
            current = roster.by_ordinal.get(ordinal)
            if ordinal < 0:
                roster.dropped.append(facts)
            elif current is None:
                roster._add(facts)
            elif start <= ordinal < end:
                roster._remove(current)
                roster.dropped.append(current)
                roster._add(facts)
            else:
                roster.condemned_extra.append(facts)
                roster._count(facts, 1)
        roster.suspects = set(roster.by_ordinal)
        return roster

    @property
    def since_parse(self) -> Parse | None:
        """The timestamp parser when Ready-since instants matter (minReadySeconds), else None."""
        return self.parse if self.min_ready else None

    @property
    def irregular(self) -> bool:
        """Some pod shares an ordinal or has none: rebuild it for every sync."""
        return bool(self.condemned_extra or self.dropped)

    # -- incremental changes ------------------------------------------------------------------
    def put(self, pod: Obj) -> bool:
        """Record the current version of a member (added or changed); False when its ordinal
        is held by a pod of another name (the roster cannot say which one wins: rebuild)."""
        facts = Facts.of(pod, self.since_parse)
        held = self.by_ordinal.get(facts.ordinal)
        if facts.ordinal < 0 or (held is not None and held.name != facts.name):
            return False
        self.shapes.pop(facts.name, None)
        self.suspects.add(facts.ordinal)
        if held is not None and held.counted_as(facts):
            self.by_ordinal[facts.ordinal] = self.by_name[facts.name] = facts
            return True
        if held is not None:
            self._remove(held)
        self._add(facts)
        return True

    def discard(self, name: str) -> None:
        """Forget the member called ``name`` (deleted, released, or no longer ours)."""
        self.shapes.pop(name, None)
        facts = self.by_name.get(name)
        if facts is not None:
            self._remove(facts)
            self.suspects.discard(facts.ordinal)

    def _add(self, facts: Facts) -> None:
        self.by_ordinal[facts.ordinal] = facts
        self.by_name[facts.name] = facts
        bisect.insort(self.ordinals, facts.ordinal)
        self._count(facts, 1)

    def _remove(self, facts: Facts) -> None:
        del self.by_ordinal[facts.ordinal]
        del self.by_name[facts.name]
        del self.ordinals[bisect.bisect_left(self.ordinals, facts.ordinal)]
        self._count(facts, -1)

    def _count(self, facts: Facts, sign: int) -> None:
        self.created += sign * facts.created
        self.ready += sign * facts.ready
        self.healthy += sign * facts.healthy
        if not facts.healthy:
            _sorted_change(self.unhealthy, facts.ordinal, sign)
        self.revisions[facts.revision] += sign
        if not self.revisions[facts.revision]:
            del self.revisions[facts.revision]
        if self.min_ready and facts.ready and facts.since is not None:
            key = facts.since + self.min_ready
            _sorted_change(self.ready_keys, key, sign)
            if facts.healthy:
                _sorted_change(self.healthy_keys, key, sign)
        if facts.live:
            ordinals = self.live_by_revision.setdefault(facts.revision, [])
            _sorted_change(ordinals, facts.ordinal, sign)
            if not ordinals:
                del self.live_by_revision[facts.revision]

    # -- queries -------------------------------------------------------------------------------
    def available(self, facts: Facts, now: float) -> bool:
        """Running and Ready for at least minReadySeconds (podutil.IsPodAvailable)."""
        if not facts.ready:
            return False
        if not self.min_ready:
            return True
        return facts.since is not None and facts.since + self.min_ready <= now

    def available_count(self, now: float) -> int:
        """Members (and condemned extras) that are Available at ``now``."""
        if not self.min_ready:
            return self.ready
        return bisect.bisect_right(self.ready_keys, now)

    def healthy_available_count(self, now: float) -> int:
        """Members that are Available and not terminating at ``now``."""
        if not self.min_ready:
            return self.healthy
        return bisect.bisect_right(self.healthy_keys, now)

    def available_position(self, now: float) -> tuple[int, int]:
        """How many Ready and how many healthy members are Available at ``now``. While the
        members stay the same, every Available verdict at ``now`` follows from these two."""
        if not self.min_ready:
            return 0, 0
        return (
            bisect.bisect_right(self.ready_keys, now),
            bisect.bisect_right(self.healthy_keys, now),
        )

    def next_available_at(self, now: float) -> float | None:
        """The earliest time after ``now`` at which a Ready member turns Available."""
        index = bisect.bisect_right(self.ready_keys, now)
        return self.ready_keys[index] if index < len(self.ready_keys) else None

    def first_unhealthy(self, lo: int, hi: int) -> int | None:
        """The lowest ordinal in ``[lo, hi)`` of a member that is not healthy."""
        index = bisect.bisect_left(self.unhealthy, lo)
        if index < len(self.unhealthy) and self.unhealthy[index] < hi:
            return self.unhealthy[index]
        return None

    def labels(self) -> set[str]:
        """The revision labels of every pod (members, condemned extras and dropped pods)."""
        return set(self.revisions) | {f.revision for f in self.dropped}

    def members_between(self, lo: int, hi: int) -> int:
        """How many members have an ordinal in ``[lo, hi)``."""
        if hi <= lo:
            return 0
        return bisect.bisect_left(self.ordinals, hi) - bisect.bisect_left(self.ordinals, lo)

    def missing(self, lo: int, hi: int) -> Iterator[int]:
        """The ordinals in ``[lo, hi)`` without a member, ascending; runs of present ordinals
        are skipped by bisection."""
        ordinals = self.ordinals
        index = bisect.bisect_left(ordinals, lo)
        ordinal = lo
        while ordinal < hi:
            if index >= len(ordinals) or ordinals[index] != ordinal:
                yield ordinal
                ordinal += 1
                continue
            # ordinals[index:] is strictly increasing, so ordinals[j] - j never decreases: the
            # run of consecutive ordinals starting here ends where it grows.
            offset = ordinal - index
            end = bisect.bisect_right(
                range(index, len(ordinals)), offset, key=lambda j: ordinals[j] - j
            )
            index += end
            ordinal = ordinals[index - 1] + 1

    def condemned(self, start: int, end: int) -> list[Facts]:
        """Members outside ``[start, end)`` (and condemned extras), highest ordinal first; pods
        sharing an ordinal in list order."""
        ordinals = self.ordinals
        low = bisect.bisect_left(ordinals, start)
        high = bisect.bisect_left(ordinals, max(start, end))
        chosen = ordinals[high:][::-1] + ordinals[:low][::-1]
        out = [self.by_ordinal[o] for o in chosen]
        if self.condemned_extra:
            out = sorted(
                out + self.condemned_extra,
                key=lambda f: f.ordinal,
                reverse=True,
            )
        return out

    def outdated_live(self, lo: int, hi: int, update_revision: str) -> Iterator[Facts]:
        """Live members in ``[lo, hi)`` not labelled ``update_revision``, highest first."""
        runs = [
            _descending(ordinals, lo, hi)
            for revision, ordinals in self.live_by_revision.items()
            if revision != update_revision
        ]
        merged = runs[0] if len(runs) == 1 else heapq.merge(*runs, reverse=True)
        return (self.by_ordinal[o] for o in merged)


def _descending(ordinals: list[int], lo: int, hi: int) -> Iterator[int]:
    """The values of sorted ``ordinals`` in ``[lo, hi)``, highest first."""
    first = bisect.bisect_left(ordinals, lo)
    for index in range(bisect.bisect_left(ordinals, hi) - 1, first - 1, -1):
        yield ordinals[index]


def _sorted_change(values: list[Any], value: float, sign: int) -> None:
    """Insert (sign 1) or remove (sign -1) one ``value`` in a sorted list."""
    if sign > 0:
        bisect.insort(values, value)
    else:
        del values[bisect.bisect_left(values, value)]
