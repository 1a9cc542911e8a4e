"""PersistentVolumeClaims: creation, reuse, deletion in progress, retention policy (§1.7)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.objects import copy_obj, uid_of
from tests.engine.sts_helpers import (
    NS,
    EventLog,
    Invariants,
    bring_up,
    claim_names,
    create_sts,
    edit_sts,
    events,
    fake_kubelet_cluster,
    live_names,
    names,
    pod,
    sts_manifest,
)


@pytest.fixture
def cluster() -> Cluster:
    """The kubelet, scheduler and garbage collector are faked by the tests."""
    return fake_kubelet_cluster()


def claim(cluster: Cluster, name: str) -> dict[str, Any]:
    """One PVC."""
    return cluster.store.must_get("PersistentVolumeClaim", NS, name)


def owners(cluster: Cluster, name: str) -> list[tuple[str, str]]:
    """(kind, name) of a claim's controller ownerReferences."""
    refs = claim(cluster, name)["metadata"].get("ownerReferences") or []
    return [(r["kind"], r["name"]) for r in refs if r.get("controller")]


def collect_garbage(cluster: Cluster) -> list[str]:
    """Stand-in for the garbage collector: delete claims whose controller owner is gone."""
    gone = []
    for pvc in cluster.store.list("PersistentVolumeClaim", NS):
        for ref in pvc["metadata"].get("ownerReferences") or []:
            owner = cluster.store.get(ref["kind"], NS, ref["name"])
            if owner is None or uid_of(owner) != ref["uid"]:
                cluster.store.delete("PersistentVolumeClaim", NS, pvc["metadata"]["name"])
                gone.append(pvc["metadata"]["name"])
                break
    cluster.drain()
    return gone


def policy(when_deleted: str, when_scaled: str) -> dict[str, str]:
    """A persistentVolumeClaimRetentionPolicy."""
    return {"whenDeleted": when_deleted, "whenScaled": when_scaled}


def test_claims_created_before_each_pod_in_template_order(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster, replicas=2, claims=("www", "logs"))
    bring_up(cluster)
    assert log.messages() == [
        "create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "create Claim logs-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful",
        "create Claim www-web-1 Pod web-1 in StatefulSet web success",
        "create Claim logs-web-1 Pod web-1 in StatefulSet web success",
        "create Pod web-1 in StatefulSet web successful",
    ]
    www = claim(cluster, "www-web-0")
    assert www["metadata"]["labels"] == {"app": "nginx"}, "template labels + matchLabels"
    assert www["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    assert "ownerReferences" not in www["metadata"], "Retain/Retain: no owner"
    assert pod(cluster, "web-1")["spec"]["volumes"] == [
        {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}},
        {"name": "logs", "persistentVolumeClaim": {"claimName": "logs-web-1"}},
    ]
    assert inv.violations == []


def test_template_volume_of_same_name_is_replaced(cluster: Cluster) -> None:
    sts = create_sts(cluster, replicas=0)
    edited = copy_obj(sts)
    edited["spec"]["replicas"] = 1
    edited["spec"]["template"]["spec"]["volumes"] = [
        {"name": "www", "emptyDir": {}},
        {"name": "config", "configMap": {"name": "web-config"}},
    ]
    cluster.store.update(edited)
    cluster.drain()
    volumes = pod(cluster, "web-0")["spec"]["volumes"]
    assert [v["name"] for v in volumes] == ["www", "config"]
    assert volumes[0] == {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}
    assert volumes[1]["configMap"]["name"] == "web-config"


def test_claim_labels_merge_template_labels(cluster: Cluster) -> None:
    sts = sts_manifest(replicas=1)
    sts["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"] = {"tier": "data"}
    cluster.store.create(sts)
    cluster.drain()
    assert claim(cluster, "www-web-0")["metadata"]["labels"] == {"tier": "data", "app": "nginx"}


def test_claim_being_deleted_fails_pod_creation_until_gone(
    cluster: Cluster, inv: Invariants
) -> None:
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "www-web-0",
                "namespace": NS,
                # a finalizer no controller here removes: the claim stays Terminating
                "finalizers": ["example.com/hold"],
            },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    cluster.store.delete("PersistentVolumeClaim", NS, "www-web-0")
    create_sts(cluster, replicas=1)
    cluster.advance(1)
    assert names(cluster) == []
    failures = [e for e in events(cluster) if e[0] == "Warning"]
    assert failures == [
        (
            "Warning",
            "FailedCreate",
            "create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted",
        )
    ]
    event = next(e for e in cluster.store.list("Event", NS) if e["reason"] == "FailedCreate")
    assert event["count"] > 1, "retried with back-off"
    pvc = copy_obj(claim(cluster, "www-web-0"))
    pvc["metadata"]["finalizers"] = []
    cluster.store.update(pvc)
    cluster.settle()
    assert names(cluster) == ["web-0"]
    assert "deletionTimestamp" not in claim(cluster, "www-web-0")["metadata"]
    assert inv.violations == []


def test_retain_delete_owns_claims_by_the_set(cluster: Cluster) -> None:
    create_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Delete", "Retain"))
    bring_up(cluster)
    for name in claim_names(cluster):
        assert owners(cluster, name) == [("StatefulSet", "web")]
    cluster.scale("StatefulSet", NS, "web", 1)
    bring_up(cluster)
    assert collect_garbage(cluster) == []
    assert claim_names(cluster) == ["www-web-0", "www-web-1", "www-web-2"]


def test_when_scaled_delete_hands_condemned_claims_to_the_pod(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Retain", "Delete"))
    bring_up(cluster)
    assert [owners(cluster, n) for n in claim_names(cluster)] == [[], [], []]
    cluster.scale("StatefulSet", NS, "web", 2)
    assert owners(cluster, "www-web-2") == [("Pod", "web-2")]
    assert claim(cluster, "www-web-2")["metadata"]["ownerReferences"][0]["uid"] != ""
    bring_up(cluster)
    assert collect_garbage(cluster) == ["www-web-2"]
    mark = log.mark()
    cluster.scale("StatefulSet", NS, "web", 3)
    bring_up(cluster)
    assert log.messages(mark) == [
        "create Claim www-web-2 Pod web-2 in StatefulSet web success",
        "create Pod web-2 in StatefulSet web successful",
    ], "a new, empty claim"
    assert inv.violations == []


def test_delete_delete_moves_ownership_from_set_to_pod(cluster: Cluster) -> None:
    create_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Delete", "Delete"))
    bring_up(cluster)
    assert owners(cluster, "www-web-2") == [("StatefulSet", "web")]
    cluster.scale("StatefulSet", NS, "web", 2)
    assert owners(cluster, "www-web-2") == [("Pod", "web-2")]
    assert owners(cluster, "www-web-1") == [("StatefulSet", "web")]


def test_pod_deleted_in_range_keeps_its_claim(cluster: Cluster) -> None:
    create_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Delete", "Delete"))
    bring_up(cluster)
    uid = claim(cluster, "www-web-1")["metadata"]["uid"]
    cluster.delete("Pod", NS, "web-1")
    bring_up(cluster)
    assert collect_garbage(cluster) == []
    assert claim(cluster, "www-web-1")["metadata"]["uid"] == uid


def test_stale_claim_blocks_pod_creation(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Retain", "Delete"))
    bring_up(cluster)
    cluster.scale("StatefulSet", NS, "web", 2)
    bring_up(cluster)
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.settle()
    assert live_names(cluster) == ["web-0", "web-1"], "www-web-2 still belongs to the old web-2"
    assert collect_garbage(cluster) == ["www-web-2"]
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


def test_changing_policy_repairs_claims_with_update_events(cluster: Cluster, log: EventLog) -> None:
    create_sts(cluster, replicas=2)
    bring_up(cluster)
    mark = log.mark()
    edit_sts(cluster, persistentVolumeClaimRetentionPolicy=policy("Delete", "Retain"))
    assert owners(cluster, "www-web-0") == [("StatefulSet", "web")]
    assert owners(cluster, "www-web-1") == [("StatefulSet", "web")]
    assert log.messages(mark) == [
        "update Pod web-0 in StatefulSet web successful",
        "update Pod web-1 in StatefulSet web successful",
    ]
    edit_sts(cluster, persistentVolumeClaimRetentionPolicy=None)
    assert owners(cluster, "www-web-0") == []
