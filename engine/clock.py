"""Simulated time.

Everything time-based in the engine goes through a :class:`Clock`: controllers ask for a
callback at a simulated time (``call_at`` / ``call_later``) and read ``now()``. Nothing in the
engine calls ``time.time()`` or ``asyncio.sleep`` with a real duration.

Two clocks share one timer heap implementation:

* :class:`VirtualClock` never moves by itself. :meth:`engine.cluster.Cluster.settle` (or
  :meth:`VirtualClock.advance`) jumps straight to the next due timer, so a 30-second rollout runs
  in milliseconds and identically every time.
* :class:`RealClock` follows the wall clock multiplied by a speed factor; it can be paused and,
  while paused, single-stepped to the next timer. A driver task (see ``Cluster.run``) fires due
  timers.

Timers due at the same instant fire in the order they were scheduled (a sequence number breaks
ties), which is what makes runs deterministic.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: The simulated wall-clock time that corresponds to clock time 0.
DEFAULT_EPOCH = datetime(2026, 7, 6, 10, 0, 0, tzinfo=UTC)


@dataclass(order=True)
class TimerHandle:
    """A scheduled callback; :meth:`cancel` stops it from firing."""

    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Prevent the callback from running (idempotent)."""
        self.cancelled = True


class Clock:
    """Base clock: a heap of timers keyed by simulated seconds since the epoch."""

    def __init__(self, epoch: datetime = DEFAULT_EPOCH) -> None:
        self._epoch = epoch
        self._timers: list[TimerHandle] = []
        self._seq = itertools.count()
        self._now = 0.0
        self._listeners: list[Callable[[], None]] = []
        self._stamps: dict[float, str] = {}

    @property
    def epoch(self) -> datetime:
        """The simulated wall-clock time of clock time 0."""
        return self._epoch

    @epoch.setter
    def epoch(self, value: datetime) -> None:
        self._epoch = value
        self._stamps.clear()

    # -- reading time -------------------------------------------------------------------
    def now(self) -> float:
        """Simulated seconds since the epoch."""
        return self._now

    def wall(self, t: float | None = None) -> datetime:
        """The simulated wall-clock time of ``t`` (default: now)."""
        return self.epoch + timedelta(seconds=self.now() if t is None else t)

    def timestamp(self, t: float | None = None) -> str:
        """RFC 3339 timestamp as Kubernetes writes it (``2026-07-06T10:00:05Z``)."""
        when = self.now() if t is None else t
        stamp = self._stamps.get(when)
        if stamp is None:  # many writes happen at a few instants: format each once
            if len(self._stamps) >= 4096:
                self._stamps.clear()
            stamp = self._stamps[when] = self.wall(when).strftime("%Y-%m-%dT%H:%M:%SZ")
        return stamp

    def parse_timestamp(self, value: str) -> float:
        """Inverse of :meth:`timestamp`: clock seconds for an RFC 3339 string."""
        dt = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return (dt - self.epoch).total_seconds()

    # -- timers -------------------------------------------------------------------------
    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` when the clock reaches ``when`` (never earlier than now)."""
        handle = TimerHandle(max(when, self._now), next(self._seq), callback)
        heapq.heappush(self._timers, handle)
        for listener in self._listeners:
            listener()
        return handle

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` after ``delay`` simulated seconds."""
        return self.call_at(self._now + max(0.0, delay), callback)

    def next_due(self) -> float | None:
        """When the earliest live timer is due, or None when no timer is pending."""
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].when if self._timers else None

    def pending(self) -> int:
        """Number of live timers."""
        return sum(1 for t in self._timers if not t.cancelled)

    def fire_due(self) -> int:
        """Fire every timer due at or before now, in order; returns how many fired."""
        fired = 0
        while True:
            due = self.next_due()
            if due is None or due > self._now:
                return fired
            handle = heapq.heappop(self._timers)
            handle.callback()
            fired += 1

    def on_schedule(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a timer is scheduled (lets a driver re-arm its wait)."""
        self._listeners.append(listener)

    def _set_now(self, t: float) -> None:
        self._now = max(self._now, t)


class VirtualClock(Clock):
    """A clock that moves only when told to; deterministic and instant."""

    def __init__(self, start: float = 0.0, epoch: datetime = DEFAULT_EPOCH) -> None:
        super().__init__(epoch)
        self._now = start

    def step(self) -> bool:
        """Jump to the next due timer and fire everything due then. False if none pending."""
        due = self.next_due()
        if due is None:
            return False
        self._set_now(due)
        self.fire_due()
        return True

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing timers in order on the way.

        Note: this fires timers but does not let controllers react in between; use
        ``Cluster.advance`` to interleave controller work with time.
        """
        target = self._now + seconds
        while (due := self.next_due()) is not None and due <= target:
            self._set_now(due)
            self.fire_due()
        self._set_now(target)

    def set_time(self, t: float) -> None:
        """Jump to ``t`` without firing (the caller fires with :meth:`fire_due`)."""
        self._set_now(t)


class RealClock(Clock):
    """Wall-clock time times a speed factor, with pause and single step.

    The simulated time advances only while running; :meth:`pause` freezes it and
    :meth:`step` jumps to the next timer while paused.
    """

    def __init__(
        self,
        speed: float = 1.0,
        epoch: datetime = DEFAULT_EPOCH,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(epoch)
        self._monotonic = monotonic
        self._speed = speed
        self._paused = False
        self._anchor_real = monotonic()
        self._anchor_sim = 0.0

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    @property
    def paused(self) -> bool:
        """True while time is frozen."""
        return self._paused

    def now(self) -> float:
        if not self._paused:
            sim = self._anchor_sim + (self._monotonic() - self._anchor_real) * self._speed
            self._now = max(self._now, sim)
        return self._now

    def _reanchor(self) -> None:
        self._anchor_sim = self.now()
        self._anchor_real = self._monotonic()

    def set_speed(self, speed: float) -> None:
        """Change the speed factor (clamped to 1/16 … 64)."""
        self._reanchor()
        self._speed = min(64.0, max(1.0 / 16, speed))
        self._notify()

    def pause(self) -> None:
        """Freeze simulated time."""
        self._reanchor()
        self._paused = True
        self._notify()

    def resume(self) -> None:
        """Let simulated time flow again."""
        self._anchor_real = self._monotonic()
        self._anchor_sim = self._now
        self._paused = False
        self._notify()

    def step(self) -> bool:
        """While paused: jump to the next due timer and fire what is due then."""
        due = self.next_due()
        if due is None:
            return False
        self._set_now(due)
        self._anchor_sim = self._now
        self._anchor_real = self._monotonic()
        self.fire_due()
        return True

    def seconds_until_next(self) -> float | None:
        """Real seconds until the next timer is due (None: none pending, or paused)."""
        due = self.next_due()
        if due is None or self._paused:
            return None
        return max(0.0, (due - self.now()) / self._speed)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()


async def sleep_real(seconds: float) -> None:
    """The one place real time is awaited (the RealClock driver)."""
    await asyncio.sleep(seconds)
