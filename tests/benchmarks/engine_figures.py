"""Engine and DNS measurements, each run in a worker process by :mod:`tests.benchmarks.run`.

Every function returns a dict of raw values (seconds, bytes…); the runner turns them into
figures. Wall times use ``time.perf_counter``; the cluster runs on its VirtualClock, so the
simulated minutes pods take to start cost no real time.
"""

from __future__ import annotations

import random
import resource
import statistics
import time
from typing import Any

from engine.cluster import Cluster
from engine.dns.resolver import Resolver
from engine.objects import is_pod_ready
from tests.benchmarks.world import NS, engine_cluster, ready_replicas, store_world


def scale(replicas: int, policy: str = "Parallel", recreate: bool = False) -> dict[str, Any]:
    """Scale web 0 → ``replicas`` and settle until all are Ready; wall seconds.

    With ``recreate``, then delete the middle pod (graceful, as ``kubectl delete pod``) and
    settle again until its replacement is Ready: wall seconds of that settle, median of 5
    pods. Also reports the process's peak RSS (bytes) with the whole cluster in memory.
    """
    cluster = engine_cluster(policy)
    start, cpu = time.perf_counter(), time.process_time()
    cluster.scale("StatefulSet", NS, "web", replicas)
    cluster.settle(timeout=10.0 * replicas + 3600)
    wall = time.perf_counter() - start
    result: dict[str, Any] = {
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "ready": ready_replicas(cluster),
    }
    if recreate:
        result["recreate"] = _recreate(cluster, replicas)
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["pods"] = len(cluster.store.list("Pod", NS))
    result["claims"] = len(cluster.store.list("PersistentVolumeClaim", NS))
    result["slices"] = len(cluster.store.list("EndpointSlice", NS))
    return result


def _recreate(cluster: Cluster, replicas: int) -> dict[str, Any]:
    times = []
    for ordinal in (replicas // 2, replicas // 3, replicas - 1, 1, replicas // 4):
        name = f"web-{ordinal}"
        old_uid = cluster.store.must_get("Pod", NS, name)["metadata"]["uid"]
        start = time.perf_counter()
        cluster.delete("Pod", NS, name)
        cluster.settle()
        times.append(time.perf_counter() - start)
        pod = cluster.store.get("Pod", NS, name)
        if pod is None or pod["metadata"]["uid"] == old_uid or not is_pod_ready(pod):
            raise RuntimeError(f"{name} was not recreated and Ready after settle")
    return {"median": statistics.median(times), "runs": times}


def dns_pod_lookup(pods: int, lookups: int = 2000, rounds: int = 5) -> dict[str, Any]:
    """Per-pod A lookups ``web-<i>.nginx.default.svc.cluster.local`` on one Resolver, median
    over ``rounds`` of the mean seconds per lookup: ``cold`` with the zone's answer cache
    emptied before every lookup (as after any change), ``warm`` repeating answered names."""
    cluster = store_world(pods)
    resolver = Resolver(cluster)
    rng = random.Random(1)
    names = [f"web-{rng.randrange(pods)}.nginx.default.svc.cluster.local" for _ in range(lookups)]
    answer = resolver.resolve(names[0])
    if len(answer.answer) != 1:
        raise RuntimeError(f"expected one A record, got {answer.answer}")
    return _cold_warm(resolver, names, rounds)


def dns_service_lookup(endpoints: int, lookups: int = 50, rounds: int = 5) -> dict[str, Any]:
    """A lookups of the headless Service ``nginx`` with ``endpoints`` ready endpoints, cold
    and warm as in :func:`dns_pod_lookup`."""
    cluster = store_world(endpoints)
    resolver = Resolver(cluster)
    answer = resolver.resolve("nginx.default.svc.cluster.local")
    if len(answer.answer) != endpoints:
        raise RuntimeError(f"expected {endpoints} A records, got {len(answer.answer)}")
    return _cold_warm(resolver, ["nginx.default.svc.cluster.local"] * lookups, rounds)


def _cold_warm(resolver: Resolver, names: list[str], rounds: int) -> dict[str, Any]:
    answers = resolver.zone.answers

    def cold() -> None:
        for name in names:
            answers.clear()
            resolver.resolve(name)

    def warm() -> None:
        for name in names:
            resolver.resolve(name)

    warm()
    return {
        "cold": _timed(cold, rounds, len(names)),
        "warm": _timed(warm, rounds, len(names)),
    }


def _timed(run: Any, rounds: int, per_round: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) / per_round)
    return statistics.median(samples)
