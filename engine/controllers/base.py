"""What every controller shares: a de-duplicating work queue of keys and a ``sync(key)``.

A controller mirrors client-go's shape. Store watch handlers turn events into keys
(``namespace/name`` of the object to reconcile) and :meth:`Controller.enqueue` them; the
cluster's runner calls :meth:`Controller.process` until every queue is empty. ``sync`` reads the
store, compares desired and actual state and writes the difference. A key is never synced twice
concurrently, and a key enqueued again while waiting is processed once.

``enqueue_after`` uses the cluster clock, so "requeue in 10 s" is deterministic on the virtual
clock. Controllers never sleep.
"""

from __future__ import annotations

import logging
import traceback
from collections import deque
from typing import TYPE_CHECKING

from engine.clock import TimerHandle

if TYPE_CHECKING:
    from engine.cluster import Cluster

log = logging.getLogger(__name__)


class WorkQueue:
    """FIFO of unique keys."""

    def __init__(self) -> None:
        self._items: deque[str] = deque()
        self._queued: set[str] = set()

    def add(self, key: str) -> None:
        """Queue ``key`` unless it is already waiting."""
        if key not in self._queued:
            self._queued.add(key)
            self._items.append(key)

    def pop(self) -> str:
        """Take the oldest key."""
        key = self._items.popleft()
        self._queued.discard(key)
        return key

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._queued

    def __bool__(self) -> bool:
        return bool(self._items)


#: client-go DefaultControllerRateLimiter's per-item back-off: 5 ms doubling to 1000 s.
BACKOFF_BASE = 0.005
BACKOFF_CAP = 1000.0


class Controller:
    """Base class: subclasses set ``name``, register watches in ``setup`` and implement
    ``sync``."""

    name = "controller"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.clock = cluster.clock
        self.queue = WorkQueue()
        self._delayed: dict[str, TimerHandle] = {}
        self._failures: dict[str, int] = {}
        self.errors: list[str] = []

    def setup(self) -> None:
        """Subscribe to the store (called once by the cluster)."""

    def sync(self, key: str) -> None:
        """Reconcile the object named by ``key``."""
        raise NotImplementedError

    def enqueue(self, key: str) -> None:
        """Reconcile ``key`` as soon as the runner gets to it."""
        self.queue.add(key)

    def enqueue_after(self, key: str, delay: float) -> None:
        """Reconcile ``key`` after ``delay`` simulated seconds (an earlier request wins)."""
        when = self.clock.now() + max(0.0, delay)
        existing = self._delayed.get(key)
        if existing is not None and not existing.cancelled and existing.when <= when:
            return
        if existing is not None:
            existing.cancel()

        def fire() -> None:
            self._delayed.pop(key, None)
            self.enqueue(key)

        self._delayed[key] = self.clock.call_at(when, fire)

    def retry_later(self, key: str) -> None:
        """A sync of ``key`` failed (a create refused, a conflict): try again after the
        workqueue's per-item back-off, ``AddRateLimited`` (5 ms, doubling, at most 1000 s)."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        self.enqueue_after(key, min(BACKOFF_BASE * 2 ** min(failures, 40), BACKOFF_CAP))

    def forget(self, key: str) -> None:
        """A sync of ``key`` succeeded (or it is gone): its back-off starts over (``Forget``)."""
        self._failures.pop(key, None)

    def process(self, budget: int = 1_000_000) -> int:
        """Sync queued keys (at most ``budget``); returns how many were processed.

        A crashing sync is logged and recorded in :attr:`errors`, never propagated: one bad
        object must not stop the cluster.
        """
        done = 0
        while self.queue and done < budget:
            key = self.queue.pop()
            try:
                self.sync(key)
            except Exception:
                msg = f"{self.name}: sync {key!r} failed:\n{traceback.format_exc()}"
                log.error(msg)
                self.errors.append(msg)
                if self.cluster.strict:
                    raise
            done += 1
        return done


def split_key(key: str) -> tuple[str, str]:
    """``namespace/name`` → (namespace, name); cluster-scoped keys have no slash."""
    if "/" in key:
        ns, name = key.split("/", 1)
        return ns, name
    return "", key


def make_key(namespace: str, name: str) -> str:
    """(namespace, name) → ``namespace/name`` (just ``name`` when cluster-scoped)."""
    return f"{namespace}/{name}" if namespace else name
