"""The cluster: one store, one clock, and the controllers that reconcile it.

:class:`Cluster` is the engine's public face. Everything that changes the cluster — a key in
the TUI, a line of a script, a demo step, an exercise check's setup — goes through its methods
(``apply``, ``scale``, ``delete``, the fault verbs), which write intent into the store exactly
as ``kubectl`` would through the API server. Controllers then react.

Running the controllers: each controller owns a work queue. :meth:`Cluster.drain` processes all
queues round-robin until every one is empty (the "zero-delay work" after a change).
:meth:`Cluster.settle` alternates draining and jumping the virtual clock to the next timer until
nothing is pending. With a :class:`~engine.clock.RealClock`, :meth:`Cluster.run` is the asyncio
task that drains and fires timers as real time passes.

While controllers work, Python's *cyclic* garbage collector is paused (:func:`gc_paused`):
the engine's objects are acyclic JSON-like trees freed by reference counting, and with
10,000 pods in memory the collector's passes over millions of dicts cost about a sixth of a
scale-up while finding nothing. It runs again as soon as the controllers are idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

from engine import admission, bootstrap, services
from engine.clock import Clock, RealClock, VirtualClock
from engine.config import ClusterConfig, Timings
from engine.controllers.base import Controller
from engine.events import EventRecorder
from engine.objects import Obj, copy_obj
from engine.store import NotFound, Store, WatchEvent

log = logging.getLogger(__name__)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested blocks are fine)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class SettleError(RuntimeError):
    """Controllers kept producing work without end (a reconcile loop)."""


class Cluster:
    """A simulated Kubernetes cluster."""

    def __init__(
        self,
        config: ClusterConfig | None = None,
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        nodes: int | None = None,
        bare: bool = False,
        strict: bool = False,
    ) -> None:
        self.config = config or ClusterConfig()
        if seed is not None:
            self.config.seed = seed
        if nodes is not None:
            self.config.nodes = nodes
        self.timings: Timings = self.config.timings or Timings()
        self.clock: Clock = clock or VirtualClock()
        #: raise controller exceptions instead of logging them (tests)
        self.strict = strict
        self._rngs: dict[str, random.Random] = {}
        self.store = Store(self.clock, self.rng("uid"))
        self.events = EventRecorder(self.store, self.rng("events"))
        self.controllers: list[Controller] = []
        self._wakeup: asyncio.Event | None = None
        self._change_listeners: list[Callable[[], None]] = []
        self.volume_data: dict[str, dict[str, str]] = {}
        """Simulated file contents per PersistentVolume name: {path: text}."""
        self.container_data: dict[str, dict[str, str]] = {}
        """Containers' writable layers, keyed ``<pod uid>/<container>/<restartCount>``
        (see :mod:`engine.volume_files`)."""
        self.empty_dir_data: dict[str, dict[str, str]] = {}
        """emptyDir volume contents, keyed ``<pod uid>/<volume name>``."""
        admission.install(self)
        services.install(self)
        self._install_controllers()
        if not bare:
            bootstrap.install_bare_cluster(self)
        self.drain()

    # -- wiring ---------------------------------------------------------------------------
    def rng(self, purpose: str) -> random.Random:
        """A seeded random source per purpose, so one feature's draws never shift another's."""
        if purpose not in self._rngs:
            self._rngs[purpose] = random.Random(f"{self.config.seed}:{purpose}")
        return self._rngs[purpose]

    def _install_controllers(self) -> None:
        from engine.controllers import registry

        for factory in registry.CONTROLLERS:
            controller = factory(self)
            controller.setup()
            self.controllers.append(controller)
        self.clock.on_schedule(self._poke)

    def controller(self, name: str) -> Controller:
        """The controller called ``name``."""
        for c in self.controllers:
            if c.name == name:
                return c
        raise KeyError(name)

    def _poke(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    def _poke_on_change(self, _ev: WatchEvent) -> None:
        self._poke()

    # -- running --------------------------------------------------------------------------
    def drain(self, max_rounds: int = 100_000) -> int:
        """Run controllers until every work queue is empty; returns keys processed."""
        with gc_paused():
            return self._drain(max_rounds)

    def _drain(self, max_rounds: int) -> int:
        total = 0
        for _ in range(max_rounds):
            did = 0
            for c in self.controllers:
                if c.queue:
                    did += c.process()
            if not did:
                return total
            total += did
        raise SettleError("controllers did not settle: work keeps being queued")

    def settle(self, timeout: float = 3600.0) -> float:
        """Drain, then jump the virtual clock timer by timer until nothing is pending.

        Stops after ``timeout`` simulated seconds (pods in CrashLoopBackOff keep timers
        forever). Returns the simulated seconds that passed.
        """
        clock = self._virtual()
        start = clock.now()
        with gc_paused():
            self.drain()
            while (due := clock.next_due()) is not None and due <= start + timeout:
                clock.set_time(due)
                clock.fire_due()
                self.drain()
        return clock.now() - start

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, controllers reacting along the way."""
        clock = self._virtual()
        target = clock.now() + seconds
        with gc_paused():
            self.drain()
            while (due := clock.next_due()) is not None and due <= target:
                clock.set_time(due)
                clock.fire_due()
                self.drain()
            clock.set_time(target)
            self.drain()

    def run_until(self, predicate: Callable[[], bool], timeout: float = 600.0) -> bool:
        """Advance timer by timer until ``predicate()`` holds (True) or ``timeout`` passes."""
        clock = self._virtual()
        deadline = clock.now() + timeout
        self.drain()
        while not predicate():
            due = clock.next_due()
            if due is None or due > deadline:
                clock.set_time(max(clock.now(), min(deadline, due or deadline)))
                return predicate()
            clock.set_time(due)
            clock.fire_due()
            self.drain()
        return True

    def _virtual(self) -> VirtualClock:
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("settle/advance need a VirtualClock; a RealClock runs via run()")
        return self.clock

    async def run(self) -> None:
        """Drive the controllers on a :class:`RealClock` until cancelled."""
        clock = self.clock
        self._wakeup = asyncio.Event()
        poke = self._poke_on_change  # one bound method, to unsubscribe it again
        self.store.subscribe(poke)  # a write from outside wakes the loop
        try:
            while True:
                self._wakeup.clear()
                self.drain()
                clock.fire_due()
                self.drain()
                wait: float | None = None
                if isinstance(clock, RealClock):
                    wait = clock.seconds_until_next()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
        finally:
            self.store.unsubscribe(poke)
            self._wakeup = None

    def step(self) -> bool:
        """Single step (paused RealClock or VirtualClock): jump to the next timer, react."""
        self.drain()
        fired = False
        if isinstance(self.clock, RealClock | VirtualClock):
            fired = self.clock.step()
        self.drain()
        return fired

    # -- intents ----------------------------------------------------------------------------
    def apply(self, source: str, text: str | None = None, **options: Any) -> list[str]:
        """Apply manifests (a path, or ``text`` with ``source`` naming it); returns kubectl's
        per-object lines (``statefulset.apps/web created``). Raises ManifestError, having
        applied nothing, when any document is invalid. ``options`` are
        :func:`engine.manifests.apply`'s (``namespace``, ``enforce_namespace``, ``dry_run``,
        ``warnings``)."""
        from engine import manifests

        lines = manifests.apply(self, source, text, **options)
        self.drain()
        return lines

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """Store read (read-only value)."""
        return self.store.get(kind, namespace, name)

    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj:
        """Set spec.replicas of a StatefulSet, Deployment or ReplicaSet."""
        obj = copy_obj(self.store.must_get(kind, namespace, name))
        obj["spec"]["replicas"] = int(replicas)
        stored = self.store.update(obj)
        self.drain()
        return stored

    def delete(
        self,
        kind: str,
        namespace: str,
        name: str,
        *,
        force: bool = False,
        grace_period: int | None = None,
        cascade: str = "background",
    ) -> Obj | None:
        """Delete like kubectl: graceful for pods unless ``force``; ``cascade`` is
        ``background`` | ``foreground`` | ``orphan``."""
        propagation = {"background": "Background", "foreground": "Foreground"}.get(
            cascade, "Orphan"
        )
        if force:
            grace_period = 0
        result = self.store.delete(
            kind, namespace, name, grace_period=grace_period, propagation=propagation
        )
        self.drain()
        return result

    def patch_annotations(self, kind: str, namespace: str, name: str, **values: str | None) -> Obj:
        """Set (or remove, with None) annotations on an object."""
        obj = copy_obj(self.store.must_get(kind, namespace, name))
        ann = obj["metadata"].setdefault("annotations", {})
        for k, v in values.items():
            key = k.replace("__", "/").replace("_", "-")
            if v is None:
                ann.pop(key, None)
            else:
                ann[key] = v
        if not ann:
            obj["metadata"].pop("annotations", None)
        return self.store.update(obj)

    # -- faults (playground verbs) ---------------------------------------------------------
    def fault_readiness(self, namespace: str, pod: str, fail: bool) -> None:
        """The pod's readiness probe starts failing (``fail``) or passing again."""
        self._kubelet_call("set_readiness_fault", namespace, pod, fail)

    def fault_crash(self, namespace: str, pod: str) -> None:
        """The pod's container exits with an error; the kubelet restarts it with back-off."""
        self._kubelet_call("crash", namespace, pod)

    def node_down(self, node: str) -> None:
        """The node stops answering (kubelet gone): NotReady after the grace period, then its
        pods are evicted but stay Terminating until force-deleted."""
        self._node_call("set_down", node, True)

    def node_up(self, node: str) -> None:
        """The node's kubelet is back."""
        self._node_call("set_down", node, False)

    def _kubelet_call(self, method: str, *args: Any) -> None:
        kubelet = self.controller("kubelet")
        if self.store.get("Pod", args[0], args[1]) is None:
            raise NotFound("Pod", args[0], args[1])
        getattr(kubelet, method)(*args)
        self.drain()

    def _node_call(self, method: str, node: str, value: bool) -> None:
        if self.store.get("Node", "", node) is None:
            raise NotFound("Node", "", node)
        getattr(self.controller("node-lifecycle"), method)(node, value)
        self.drain()
