"""How time passes while a demo plays in the app.

Both pacers follow the scenario's simulated timeline (see :mod:`engine.scenarios.model`):

* :class:`LivePacer` — the cluster runs on a :class:`~engine.clock.RealClock` by itself; the
  pacer polls the clock until enough simulated time has passed or a condition holds. The
  viewer's "next step" sets :attr:`skip`, which ends the current pause or wait at once; while
  the clock is paused nothing advances.
* :class:`RecordPacer` — the cluster runs on a :class:`~engine.clock.VirtualClock`; the pacer
  moves it timer by timer and captures a frame after each, so a recording shows every change
  at the simulated moment it happened, and takes milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from engine.clock import VirtualClock, sleep_real
from engine.cluster import Cluster

#: real seconds between checks of the clock or a condition, live
POLL = 0.05

Capture = Callable[[], Awaitable[None]]


class LivePacer:
    """Waits on the real clock."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.skip = asyncio.Event()

    async def frame(self, hold: float = 0.0) -> None:
        """Live, the screen redraws by itself (and the viewer can pause to read)."""

    async def let_pass(self, seconds: float) -> None:
        """Until ``seconds`` of simulated time have passed (or the viewer skips)."""
        clock = self.cluster.clock
        target = clock.now() + seconds
        while clock.now() < target and not self.skip.is_set():
            await sleep_real(POLL)

    async def until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Until ``predicate()`` holds (True), ``within`` simulated s pass, or a skip."""
        clock = self.cluster.clock
        deadline = clock.now() + within
        while not predicate():
            if self.skip.is_set():
                return True
            if clock.now() >= deadline:
                return predicate()
            await sleep_real(POLL)
        return True


class RecordPacer:
    """Moves a virtual clock timer by timer, capturing a frame after each."""

    def __init__(
        self, cluster: Cluster, capture: Capture, hold: Callable[[float], None] | None = None
    ) -> None:
        if not isinstance(cluster.clock, VirtualClock):
            raise TypeError("recording needs a cluster on a VirtualClock")
        self.cluster = cluster
        self.clock: VirtualClock = cluster.clock
        self.capture = capture
        self.hold = hold
        self.skip = asyncio.Event()

    async def frame(self, hold: float = 0.0) -> None:
        """Capture the screen now; keep it ``hold`` cast seconds (no simulated time passes)."""
        self.cluster.drain()
        await self.capture()
        if hold and self.hold is not None:
            self.hold(hold)

    async def let_pass(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, a frame per timer."""
        target = self.clock.now() + seconds
        self.cluster.drain()
        while (due := self.clock.next_due()) is not None and due <= target:
            self.cluster.step()
            await self.capture()
        self.cluster.advance(max(0.0, target - self.clock.now()))
        await self.capture()

    async def until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Run timer by timer until ``predicate()`` holds or ``within`` passes."""
        deadline = self.clock.now() + within
        self.cluster.drain()
        while not predicate():
            due = self.clock.next_due()
            if due is None or due > deadline:
                self.cluster.advance(max(0.0, deadline - self.clock.now()))
                await self.capture()
                return predicate()
            self.cluster.step()
            await self.capture()
        return True


Pacer = LivePacer | RecordPacer
