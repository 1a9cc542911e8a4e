"""The scheduler's Score step without a pass over every node for every pod.

The default scheduler picks, among the nodes a pod fits, the one with the fewest pods of the
pod's owner, then the fewest pods, then the first name (:func:`engine.scheduling.score_key`).
For the common pod — no node selector or affinity, no resource requests, no bound volume with
node affinity — a *plain* node (schedulable, untainted) fits exactly when it has a free pod
slot, so the winner among plain nodes is the smallest ``(siblings, pods, name)`` with room.

:class:`NodeRanking` keeps, per owner, a heap of those keys over the plain nodes, read from the
scheduler's store indexes and checked lazily: the top entry is compared with the live counts
and pushed back with the right key while it is stale. That is exact as long as counts only
grow between rebuilds (a stale entry then never sorts too late), so the scheduler calls
:meth:`NodeRanking.reset` whenever a pod leaves a node's counts (deleted, finished, moved or
disowned) and whenever a Node changes. A full node is dropped from the heap: it has room again
only after a pod left it, which resets. Placing a pod costs O(log nodes) instead of O(nodes).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from engine.scheduling import NodeFacts

#: (pods of the owner on the node, pods on the node, node name)
Rank = tuple[int, int, str]
#: heaps kept at most for this many owners at once (the table starts afresh beyond)
_MAX_OWNERS = 256


class NodeRanking:
    """Per owner uid, a lazily checked heap of :data:`Rank` over the plain nodes."""

    def __init__(self) -> None:
        self._heaps: dict[str, list[Rank]] = {}
        self._max_pods: dict[str, int] = {}
        self._plain: list[str] = []

    def reset(self, plain: Sequence[NodeFacts] | None = None) -> None:
        """Forget every heap (a pod left a node); with ``plain``, also the node set."""
        self._heaps.clear()
        if plain is not None:
            self._plain = [facts.name for facts in plain]
            self._max_pods = {facts.name: facts.max_pods for facts in plain}

    def best(
        self,
        owner: str,
        occupied: Mapping[str, Mapping[Any, Any]],
        owned: Mapping[str, Mapping[Any, Any]],
    ) -> Rank | None:
        """The smallest rank among plain nodes with a free pod slot (None: every one is
        full). ``occupied`` and ``owned`` are the scheduler's live indexes: pods per node,
        and per ``<node>|<owner uid>``."""
        suffix = "|" + owner
        heap = self._heaps.get(owner)
        if heap is None:
            if len(self._heaps) >= _MAX_OWNERS:
                self._heaps.clear()
            heap = [
                (
                    len(owned.get(name + suffix, ())) if owner else 0,
                    len(occupied.get(name, ())),
                    name,
                )
                for name in self._plain
            ]
            heapq.heapify(heap)
            self._heaps[owner] = heap
        max_pods = self._max_pods
        while heap:
            top = heap[0]
            name = top[2]
            pods = len(occupied.get(name, ()))
            siblings = len(owned.get(name + suffix, ())) if owner else 0
            if siblings != top[0] or pods != top[1]:
                heapq.heapreplace(heap, (siblings, pods, name))
                continue
            if pods + 1 > max_pods[name]:
                heapq.heappop(heap)  # full until a pod leaves it, which resets
                continue
            return top
        return None
