"""The playground's pod quota: a huge scale-up settles at the limit, like a ResourceQuota."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.cluster import Cluster
from engine.config import ClusterConfig
from engine.manifest_check import ManifestError
from engine.pod_quota import QuotaExceeded
from tests.worlds import BARE_POD

WEB = (Path(__file__).parents[2] / "demos" / "manifests" / "web.yaml").read_text()
INT32_MAX = 2**31 - 1


def _web(policy: str, replicas: int) -> str:
    return WEB.replace("replicas: 2", f"podManagementPolicy: {policy}\n  replicas: {replicas}")


def _cluster(max_pods: int | None) -> Cluster:
    cluster = Cluster(ClusterConfig(max_pods=max_pods), seed=3)
    cluster.settle()
    return cluster


def _failed_creates(cluster: Cluster, kind: str, name: str) -> list[str]:
    return [
        e["message"]
        for e in cluster.store.list("Event", "default")
        if e["reason"] == "FailedCreate"
        and e["involvedObject"]["name"] == name
        and e["involvedObject"]["kind"] == kind
    ]


@pytest.mark.parametrize("policy", ["Parallel", "OrderedReady"])
def test_a_huge_statefulset_stops_at_the_quota_and_says_why(policy: str) -> None:
    cluster = _cluster(max_pods=12)
    cluster.apply(
        "web.yaml", WEB.replace("replicas: 2", f"podManagementPolicy: {policy}\n  replicas: 2")
    )
    cluster.settle(timeout=120)
    cluster.scale("StatefulSet", "default", "web", INT32_MAX)
    cluster.settle(timeout=600)
    pods = cluster.store.list("Pod")
    assert len(pods) == 12
    assert {p["metadata"]["name"] for p in pods} == {f"web-{i}" for i in range(12)}
    (message, *_) = _failed_creates(cluster, "StatefulSet", "web")
    assert message.startswith("create Pod web-")
    assert (
        "is forbidden: exceeded quota: playground, requested: pods=1, used: pods=12, "
        "limited: pods=12" in message
    )
    sts = cluster.store.must_get("StatefulSet", "default", "web")
    assert sts["status"]["replicas"] == 12


def test_updates_and_deletes_are_never_limited() -> None:
    cluster = _cluster(max_pods=2)
    cluster.apply("web.yaml", WEB)
    cluster.settle(timeout=120)
    cluster.delete("Pod", "default", "web-0")
    cluster.settle(timeout=120)
    web0 = cluster.store.must_get("Pod", "default", "web-0")
    assert web0["status"]["phase"] == "Running"  # recreated once its predecessor was gone


def test_a_direct_create_past_the_quota_is_forbidden() -> None:
    cluster = _cluster(max_pods=2)
    cluster.apply("web.yaml", WEB)
    cluster.settle(timeout=120)
    with pytest.raises(ManifestError) as info:
        cluster.apply("bare.yaml", BARE_POD)
    assert str(info.value) == (
        'bare.yaml: document 1 (Pod "bare"), line 2: pods "bare" is forbidden: exceeded quota: '
        "playground, requested: pods=1, used: pods=2, limited: pods=2"
    )
    with pytest.raises(QuotaExceeded) as direct:
        cluster.store.create(yaml.safe_load(BARE_POD))
    assert direct.value.reason == "Forbidden"
    assert cluster.store.get("Pod", "default", "bare") is None


def test_no_limit_when_none() -> None:
    cluster = _cluster(max_pods=None)
    cluster.apply(
        "web.yaml", WEB.replace("replicas: 2", "podManagementPolicy: Parallel\n  replicas: 30")
    )
    cluster.settle(timeout=600)
    assert len(cluster.store.list("Pod")) == 30
