"""Stateful property tests: random histories of user intents and faults over a busy cluster.

A hypothesis :class:`RuleBasedStateMachine` drives the real engine (scheduler, kubelet, node
lifecycle, volumes, endpoints, DNS) through apply / scale / delete / force delete / readiness
faults / crashes / node down and up / ``kubectl set image`` / time passing, over a StatefulSet
of each pod management policy and a Deployment. After every step the invariants of
:mod:`tests.reliability.invariants` must hold; the ``converge`` rule stops every fault, lets
time pass and demands the desired state.

The sequences are split over shards, independent hypothesis runs that pytest-xdist spreads over
the cores; each shard counts the sequences and steps it really executed and the run's summary
adds them up (profiles and shards: :mod:`tests.reliability.conftest`; the long run:
tests/reliability/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from engine import kubectl
from engine.cluster import Cluster
from engine.objects import Obj
from tests.reliability.conftest import PER_SHARD, PROFILE, SHARDS, STEPS
from tests.reliability.invariants import StateChecker, Watcher, check_state, healthy, owner
from tests.reliability.workloads import IMAGES, WORKLOADS, busy_cluster

NS = "default"
STATEFULSETS = ("web", "par")
REVISION = "controller-revision-hash"
#: the user property a shard reports its :class:`Tally` under (summed by tests/conftest.py)
TALLY = "property_tally"


def converged(cluster: Cluster) -> list[str]:
    """What still differs from the desired state (empty once converged)."""
    out: list[str] = []
    pods = cluster.store.list("Pod", NS)
    for name in STATEFULSETS:
        sts = cluster.store.must_get("StatefulSet", NS, name)
        want = [f"{name}-{i}" for i in range(sts["spec"]["replicas"])]
        mine = sorted((p for p in pods if owner(p, "StatefulSet") == name), key=_ordinal_key)
        status = sts.get("status") or {}
        if [p["metadata"]["name"] for p in mine] != want:
            out.append(f"{name}: pods {[p['metadata']['name'] for p in mine]} != {want}")
        if not all(healthy(p) for p in mine):
            out.append(f"{name}: not every pod is Running and Ready")
        revisions = {(p["metadata"].get("labels") or {}).get(REVISION) for p in mine}
        if mine and revisions != {status.get("updateRevision")}:
            out.append(f"{name}: revisions {revisions} != {status.get('updateRevision')}")
        if status.get("readyReplicas", 0) != len(want):
            out.append(f"{name}: status.readyReplicas {status.get('readyReplicas')}")
    deploy = cluster.store.must_get("Deployment", NS, "hello")
    replicas = deploy["spec"]["replicas"]
    mine = [p for p in pods if (p["metadata"].get("labels") or {}).get("app") == "hello"]
    if len(mine) != replicas or not all(healthy(p) for p in mine):
        out.append(f"hello: {len(mine)} pods (healthy: {[healthy(p) for p in mine]}) != {replicas}")
    status = deploy.get("status") or {}
    for field in ("updatedReplicas", "readyReplicas", "availableReplicas"):
        if status.get(field, 0) != replicas:
            out.append(f"hello: status.{field} {status.get(field)} != {replicas}")
    return out + check_state(cluster)


def _settling(cluster: Cluster) -> bool:
    """Cheap test run at every timer while converging: pods still on their way."""
    pods = cluster.store.list("Pod", NS)
    wanted = sum(
        cluster.store.must_get(kind, NS, name)["spec"]["replicas"]
        for kind, name in (("StatefulSet", "web"), ("StatefulSet", "par"), ("Deployment", "hello"))
    )
    if len(pods) != wanted or not all(healthy(p) for p in pods):
        return True
    statuses = [s.get("status") or {} for s in cluster.store.list("StatefulSet", NS)]
    return any(s.get("currentRevision") != s.get("updateRevision") for s in statuses)


def _ordinal_key(pod: Obj) -> int:
    return int(pod["metadata"]["name"].rsplit("-", 1)[1])


@dataclass
class Tally:
    """What one shard really ran (not what it was asked to run)."""

    sequences: int = 0
    steps: int = 0
    #: sequences that ran all :data:`STEPS` steps
    full: int = 0

    def record(self, steps: int) -> None:
        """One sequence ended after ``steps`` checked steps."""
        self.sequences += 1
        self.steps += steps
        self.full += steps >= STEPS

    def as_tuple(self) -> tuple[int, int, int]:
        """(sequences, steps, full-length sequences), as the test report carries it."""
        return self.sequences, self.steps, self.full


class PlaygroundMachine(RuleBasedStateMachine):
    """Random user intents and faults against a busy cluster."""

    def __init__(self, tally: Tally | None = None) -> None:
        super().__init__()
        self.cluster = busy_cluster()
        self.watcher = Watcher(self.cluster)
        self.check_state = StateChecker(self.cluster)
        self.steps = 0
        self.tally = tally
        #: invariant checks so far: one after set-up, then one after every step
        self.checks = 0

    def teardown(self) -> None:
        """Count the sequence and the steps whose invariants were checked, and let go of the
        cluster: hypothesis keeps up to 1,024 recent ``st.shared`` strategies in a cache and
        the stateful runner keys one by the machine, so finished machines stay alive; with
        their clusters they cost 0.6 MB each and slowed every garbage collection (1,000
        sequences in one shard took 50% more CPU per sequence than 100)."""
        if self.tally is not None:
            self.tally.record(self.checks - 1)
        del self.cluster, self.watcher, self.check_state

    # -- helpers -----------------------------------------------------------------------------
    def _pod(self, index: int) -> Obj | None:
        pods = sorted(self.cluster.store.list("Pod", NS), key=lambda p: p["metadata"]["name"])
        return pods[index % len(pods)] if pods else None

    def _node(self, index: int) -> str:
        nodes = sorted(n["metadata"]["name"] for n in self.cluster.store.list("Node"))
        return nodes[index % len(nodes)]

    # -- intents -------------------------------------------------------------------------------
    @rule(name=st.sampled_from(sorted(WORKLOADS)), replicas=st.integers(0, 4))
    def scale(self, name: str, replicas: int) -> None:
        result = kubectl.run(self.cluster, f"scale {WORKLOADS[name]}/{name} --replicas={replicas}")
        assert result.code == 0, result.text

    @rule(name=st.sampled_from(sorted(WORKLOADS)), image=st.sampled_from(IMAGES))
    def set_image(self, name: str, image: str) -> None:
        result = kubectl.run(self.cluster, f"set image {WORKLOADS[name]}/{name} nginx={image}")
        assert result.code == 0, result.text

    @rule(index=st.integers(0, 20), force=st.booleans())
    def delete_pod(self, index: int, force: bool) -> None:
        pod = self._pod(index)
        if pod is not None:
            self.cluster.delete("Pod", NS, pod["metadata"]["name"], force=force)

    @rule(index=st.integers(0, 20), fail=st.booleans())
    def readiness(self, index: int, fail: bool) -> None:
        pod = self._pod(index)
        if pod is not None:
            self.cluster.fault_readiness(NS, pod["metadata"]["name"], fail)

    @rule(index=st.integers(0, 20))
    def crash(self, index: int) -> None:
        pod = self._pod(index)
        if pod is None:
            return
        message = ""
        try:
            self.cluster.fault_crash(NS, pod["metadata"]["name"])
        except ValueError as exc:  # no running container (yet / any more): a clear refusal
            message = str(exc)
        assert not message or "container" in message or "kubelet" in message

    @rule(index=st.integers(0, 2), down=st.booleans())
    def node(self, index: int, down: bool) -> None:
        name = self._node(index)
        if down:
            self.cluster.node_down(name)
        else:
            self.cluster.node_up(name)

    @rule(seconds=st.sampled_from([1, 2, 5, 10, 30, 60, 300]))
    def advance(self, seconds: int) -> None:
        self.cluster.advance(seconds)

    @precondition(lambda self: self.steps >= 8)
    @rule()
    def converge(self) -> None:
        """Stop every fault and let time pass: the cluster reaches the desired state (at most
        once every 8 steps: it is the costliest rule and would otherwise be drawn often)."""
        self.steps = 0
        for node in self.cluster.store.list("Node"):
            self.cluster.node_up(node["metadata"]["name"])
        for pod in self.cluster.store.list("Pod", NS):
            if (pod["metadata"].get("annotations") or {}).get("playground.local/readiness"):
                self.cluster.fault_readiness(NS, pod["metadata"]["name"], False)
        self.cluster.run_until(lambda: not _settling(self.cluster), timeout=1800)
        assert converged(self.cluster) == []

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def nothing_broken(self) -> None:
        self.steps += 1
        self.checks += 1
        assert self.watcher.violations == []
        assert self.check_state() == []


@pytest.mark.heavy
@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda k: f"shard-{k}")
def test_playground(shard: int, property_seed: str, request: pytest.FixtureRequest) -> None:
    """One shard: :data:`PER_SHARD` random sequences of up to :data:`STEPS` steps, from the
    run's seed (tests/conftest.py) and the shard's number."""
    tally = Tally()

    def machine() -> PlaygroundMachine:
        return PlaygroundMachine(tally)

    factory: Callable[[], PlaygroundMachine] = seed(f"{property_seed}/{shard}")(machine)
    try:
        run_state_machine_as_test(factory, settings=PROFILE)
    finally:
        request.node.user_properties.append((TALLY, tally.as_tuple()))
    assert tally.sequences >= PER_SHARD, f"ran {tally.sequences} sequences, not {PER_SHARD}"
