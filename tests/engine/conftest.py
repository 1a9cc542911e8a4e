"""Engine fixtures: a fresh strict cluster on the virtual clock."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster


@pytest.fixture
def cluster() -> Cluster:
    """A bare cluster (3 nodes, default namespaces, kubernetes/kube-dns, StorageClasses) whose
    controller errors raise instead of being logged."""
    return Cluster(seed=1, strict=True)
