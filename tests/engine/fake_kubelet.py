"""Controller unit tests without the node side: :func:`isolated_cluster` stops the scheduler,
kubelet and node-lifecycle controller from running, so tests can set pod status themselves
(``tests.helpers.set_pod_status``) or install :class:`FakeKubelet`: new pods are scheduled
round-robin, turn Running and Ready after ``start`` seconds (unless their image starts with
``no-such``), and deleted pods disappear ``stop`` seconds after their deletion started."""

from __future__ import annotations

import itertools
from typing import Any

from engine.cluster import Cluster
from engine.objects import copy_obj
from engine.store import WatchEvent
from tests.helpers import stop_controllers

NODE_SIDE = ("default-scheduler", "kubelet", "node-lifecycle")


def isolated_cluster(seed: int = 1, *, also: tuple[str, ...] = ()) -> Cluster:
    """A strict bare cluster whose scheduler, kubelet and node-lifecycle controller (and the
    controllers named in ``also``) never run (their watches still queue keys, nobody processes
    them)."""
    return stop_controllers(Cluster(seed=seed, strict=True), NODE_SIDE + also)


class FakeKubelet:
    """Drives pod status on the virtual clock; install with ``FakeKubelet(cluster)``."""

    def __init__(self, cluster: Cluster, start: float = 5.0, stop: float = 5.0) -> None:
        self.cluster = cluster
        self.start = start
        self.stop = stop
        self._nodes = itertools.cycle(["worker-1", "worker-2", "worker-3"])
        self._stopping: set[str] = set()
        cluster.store.subscribe(self._on_pod, ["Pod"])

    def _on_pod(self, ev: WatchEvent) -> None:
        md = ev.obj["metadata"]
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        if ev.type == "ADDED":
            self.cluster.clock.call_later(self.start, lambda: self._run(ns, name, uid))
        elif ev.type == "MODIFIED" and md.get("deletionTimestamp") and uid not in self._stopping:
            self._stopping.add(uid)
            self.cluster.clock.call_later(self.stop, lambda: self._remove(ns, name, uid))

    def _current(self, ns: str, name: str, uid: str) -> dict[str, Any] | None:
        pod = self.cluster.store.get("Pod", ns, name)
        return pod if pod is not None and pod["metadata"]["uid"] == uid else None

    def _run(self, ns: str, name: str, uid: str) -> None:
        pod = self._current(ns, name, uid)
        if pod is None or pod["metadata"].get("deletionTimestamp"):
            return
        new = copy_obj(pod)
        now = self.cluster.clock.timestamp()
        image = new["spec"]["containers"][0].get("image", "")
        ready = "False" if image.startswith("no-such") else "True"
        new["spec"].setdefault("nodeName", next(self._nodes))
        new["status"] = {
            "phase": "Running",
            "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
                {"type": "Ready", "status": ready, "lastTransitionTime": now},
            ],
        }
        self.cluster.store.update(new)

    def _remove(self, ns: str, name: str, uid: str) -> None:
        if self._current(ns, name, uid) is not None:
            self.cluster.store.remove("Pod", ns, name)
