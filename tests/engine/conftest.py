"""Engine fixtures: a fresh strict cluster on the virtual clock, and the StatefulSet tests'
watches on whichever ``cluster`` a test module provides."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from tests.engine.sts_helpers import EventLog, Invariants


@pytest.fixture
def cluster() -> Cluster:
    """A bare cluster (3 nodes, default namespaces, kubernetes/kube-dns, StorageClasses) whose
    controller errors raise instead of being logged."""
    return Cluster(seed=1, strict=True)


@pytest.fixture
def inv(cluster: Cluster) -> Invariants:
    """Invariant watch for the test's whole run."""
    return Invariants(cluster)


@pytest.fixture
def log(cluster: Cluster) -> EventLog:
    """Every StatefulSet event of the test."""
    return EventLog(cluster)
