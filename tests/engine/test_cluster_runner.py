"""The runner pauses the cyclic garbage collector only while controllers work."""

from __future__ import annotations

import asyncio
import contextlib
import gc

from engine.clock import RealClock
from engine.cluster import Cluster, gc_paused
from engine.controllers.base import Controller
from engine.objects import new_object


class _Probe(Controller):
    name = "gc-probe"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.seen: list[bool] = []

    def sync(self, key: str) -> None:
        self.seen.append(gc.isenabled())


def test_controllers_run_with_the_cyclic_collector_paused_and_it_comes_back() -> None:
    cluster = Cluster(seed=1, nodes=1)
    probe = _Probe(cluster)
    cluster.controllers.append(probe)
    assert gc.isenabled()
    probe.enqueue("a")
    cluster.drain()
    probe.enqueue_after("b", 5)
    cluster.settle()
    probe.enqueue_after("c", 1)
    cluster.advance(2)
    assert probe.seen == [False, False, False]
    assert gc.isenabled()


def test_gc_paused_nests_and_respects_a_disabled_collector() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_run_wakes_on_an_outside_write_and_stops_listening_when_cancelled() -> None:
    now = [0.0]
    cluster = Cluster(seed=1, nodes=1, clock=RealClock(monotonic=lambda: now[0]))
    probe = _Probe(cluster)
    cluster.controllers.append(probe)
    cluster.store.subscribe(lambda ev: probe.enqueue(ev.obj["metadata"]["name"]), ["Namespace"])
    handlers = len(cluster.store._handlers)
    task = asyncio.create_task(cluster.run())
    await asyncio.sleep(0)
    assert len(cluster.store._handlers) == handlers + 1
    cluster.store.create(new_object("Namespace", "outside"))  # not through a Cluster method
    for _ in range(50):
        if probe.seen:
            break
        await asyncio.sleep(0)
    assert probe.seen == [False]
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert len(cluster.store._handlers) == handlers
