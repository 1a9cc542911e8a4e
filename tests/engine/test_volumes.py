"""PersistentVolume controller and protection finalizers, on the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.objects import Obj, copy_obj
from engine.store import StoreError
from tests.engine.fake_kubelet import isolated_cluster
from tests.helpers import set_pod_status


@pytest.fixture
def cluster() -> Cluster:
    """Controllers under test without the node side (pods get status from the test)."""
    return isolated_cluster()


def pvc(name: str, size: str = "1Gi", **spec: Any) -> Obj:
    body: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
        **spec,
    }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "default"},
        "spec": body,
    }


def static_pv(
    name: str, size: str, cls: str = "manual", policy: str = "Retain", **spec: Any
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": policy,
            "storageClassName": cls,
            "hostPath": {"path": f"/data/{name}"},
            **spec,
        },
    }


def pod_with_claim(name: str, claim: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "containers": [
                {
                    "name": "nginx",
                    "image": "registry.k8s.io/nginx-slim:0.21",
                    "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}],
                }
            ],
            "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": claim}}],
        },
    }


def reasons(cluster: Cluster, obj: Obj) -> list[str]:
    return [e["reason"] for e in cluster.events.for_object(obj)]


def claim(cluster: Cluster, name: str) -> Obj:
    return cluster.store.must_get("PersistentVolumeClaim", "default", name)


def test_dynamic_provisioning_binds_claim_to_new_volume(cluster: Cluster) -> None:
    cluster.store.create(pvc("www-web-0"))
    cluster.drain()
    pending = claim(cluster, "www-web-0")
    assert pending["status"]["phase"] == "Pending"
    assert pending["spec"]["storageClassName"] == "standard"  # the default class
    assert pending["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    ann = pending["metadata"]["annotations"]
    assert ann["volume.kubernetes.io/storage-provisioner"] == "playground.local/network"

    cluster.settle()
    bound = claim(cluster, "www-web-0")
    pv_name = f"pvc-{bound['metadata']['uid']}"
    assert bound["status"] == {
        "phase": "Bound",
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": "1Gi"},
    }
    assert bound["spec"]["volumeName"] == pv_name
    assert bound["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert bound["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    pv = cluster.store.must_get("PersistentVolume", "", pv_name)
    assert pv["status"]["phase"] == "Bound"
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["spec"]["claimRef"]["uid"] == bound["metadata"]["uid"]
    assert "nodeAffinity" not in pv["spec"]
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == (
        "playground.local/network"
    )
    assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert reasons(cluster, bound) == [
        "ExternalProvisioning",
        "Provisioning",
        "ProvisioningSucceeded",
    ]
    assert cluster.volume_data[pv_name] == {}


def test_provisioning_takes_the_configured_time(cluster: Cluster) -> None:
    cluster.store.create(pvc("data"))
    cluster.advance(0.5)
    assert claim(cluster, "data")["status"]["phase"] == "Pending"
    cluster.advance(0.6)
    assert claim(cluster, "data")["status"]["phase"] == "Bound"


def test_wait_for_first_consumer_pins_volume_to_selected_node(cluster: Cluster) -> None:
    cluster.store.create(pvc("local-data", storageClassName="local"))
    cluster.settle()
    waiting = claim(cluster, "local-data")
    assert waiting["status"]["phase"] == "Pending"
    assert reasons(cluster, waiting) == ["WaitForFirstConsumer"]
    assert cluster.store.count("PersistentVolume") == 0

    cluster.patch_annotations(
        "PersistentVolumeClaim",
        "default",
        "local-data",
        **{"volume.kubernetes.io/selected-node": "worker-2"},
    )
    cluster.settle()
    bound = claim(cluster, "local-data")
    assert bound["status"]["phase"] == "Bound"
    pv = cluster.store.must_get("PersistentVolume", "", bound["spec"]["volumeName"])
    terms = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    assert terms[0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["worker-2"]}
    ]


def test_static_volume_smallest_fit_by_class_and_mode(cluster: Cluster) -> None:
    cluster.store.create(static_pv("big", "10Gi"))
    cluster.store.create(static_pv("small", "1Gi"))
    cluster.store.create(static_pv("medium", "5Gi"))
    cluster.store.create(static_pv("rox", "2Gi", accessModes=["ReadOnlyMany"]))
    cluster.store.create(static_pv("other-class", "2Gi", cls="gold"))
    cluster.settle()
    assert cluster.store.must_get("PersistentVolume", "", "small")["status"]["phase"] == (
        "Available"
    )
    cluster.store.create(pvc("want-2g", "2Gi", storageClassName="manual"))
    cluster.settle()
    bound = claim(cluster, "want-2g")
    assert bound["spec"]["volumeName"] == "medium"
    assert bound["status"]["capacity"] == {"storage": "5Gi"}
    medium = cluster.store.must_get("PersistentVolume", "", "medium")
    assert medium["status"]["phase"] == "Bound"
    assert medium["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    assert cluster.store.count("PersistentVolume") == 5  # nothing provisioned


def test_claim_waits_for_a_static_volume_to_appear(cluster: Cluster) -> None:
    cluster.store.create(pvc("later", storageClassName="manual"))
    cluster.settle()
    assert claim(cluster, "later")["status"]["phase"] == "Pending"
    assert reasons(cluster, claim(cluster, "later")) == ["ProvisioningFailed"]
    cluster.store.create(static_pv("pv-1", "1Gi"))
    cluster.settle()
    assert claim(cluster, "later")["spec"]["volumeName"] == "pv-1"


def test_volume_name_prebinding(cluster: Cluster) -> None:
    cluster.store.create(static_pv("small", "1Gi"))
    cluster.store.create(static_pv("chosen", "3Gi"))
    cluster.store.create(pvc("mine", storageClassName="manual", volumeName="chosen"))
    cluster.settle()
    bound = claim(cluster, "mine")
    assert bound["status"]["phase"] == "Bound"
    assert bound["spec"]["volumeName"] == "chosen"
    assert "pv.kubernetes.io/bound-by-controller" not in bound["metadata"]["annotations"]
    assert cluster.store.must_get("PersistentVolume", "", "small")["status"]["phase"] == (
        "Available"
    )


def test_empty_class_binds_only_classless_volumes(cluster: Cluster) -> None:
    cluster.store.create(pvc("none", storageClassName=""))
    cluster.settle()
    assert claim(cluster, "none")["spec"]["storageClassName"] == ""
    assert reasons(cluster, claim(cluster, "none")) == ["FailedBinding"]
    cluster.store.create(static_pv("classless", "1Gi", cls=""))
    cluster.settle()
    assert claim(cluster, "none")["spec"]["volumeName"] == "classless"


def _bound_claim(cluster: Cluster, name: str) -> str:
    cluster.store.create(pvc(name))
    cluster.settle()
    return str(claim(cluster, name)["spec"]["volumeName"])


def test_delete_reclaim_removes_volume_and_data(cluster: Cluster) -> None:
    pv_name = _bound_claim(cluster, "gone")
    cluster.volume_data[pv_name]["index.html"] = "hello"
    cluster.delete("PersistentVolumeClaim", "default", "gone")
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "gone") is None
    assert cluster.store.get("PersistentVolume", "", pv_name) is None
    assert pv_name not in cluster.volume_data


def _release_static(cluster: Cluster, pv_name: str, policy: str, files: dict[str, str]) -> Obj:
    """Bind claim ``c`` to hand-made volume ``pv_name`` (reclaim ``policy``) holding ``files``,
    delete the claim and settle; returns the volume."""
    cluster.store.create(static_pv(pv_name, "1Gi", policy=policy))
    cluster.store.create(pvc("c", storageClassName="manual"))
    cluster.settle()
    cluster.volume_data[pv_name] = files
    cluster.delete("PersistentVolumeClaim", "default", "c")
    cluster.settle()
    return cluster.store.must_get("PersistentVolume", "", pv_name)


def test_retain_reclaim_keeps_released_volume(cluster: Cluster) -> None:
    pv = _release_static(cluster, "keep", "Retain", {"index.html": "kept"})
    assert pv["status"]["phase"] == "Released"
    assert cluster.volume_data["keep"] == {"index.html": "kept"}
    # a new claim with the same name does not get the released volume back
    cluster.store.create(pvc("c", storageClassName="manual"))
    cluster.settle()
    assert claim(cluster, "c")["status"]["phase"] == "Pending"


def test_pvc_deleted_while_mounted_stays_terminating(cluster: Cluster) -> None:
    pv_name = _bound_claim(cluster, "www-web-0")
    cluster.store.create(pod_with_claim("web-0", "www-web-0"))
    set_pod_status(cluster, "default", "web-0", node="worker-1", ip="10.244.1.5")
    cluster.delete("PersistentVolumeClaim", "default", "www-web-0")
    cluster.settle()
    terminating = claim(cluster, "www-web-0")
    assert terminating["metadata"]["deletionTimestamp"]
    assert terminating["status"]["phase"] == "Bound"
    assert cluster.store.must_get("PersistentVolume", "", pv_name)["status"]["phase"] == "Bound"

    cluster.store.remove("Pod", "default", "web-0")
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "www-web-0") is None
    assert cluster.store.get("PersistentVolume", "", pv_name) is None


def test_terminal_pod_does_not_hold_the_claim(cluster: Cluster) -> None:
    _bound_claim(cluster, "job-data")
    cluster.store.create(pod_with_claim("job", "job-data"))
    set_pod_status(cluster, "default", "job", node="worker-1", phase="Succeeded", ready=False)
    cluster.delete("PersistentVolumeClaim", "default", "job-data")
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "job-data") is None


def test_bound_volume_deleted_stays_until_released(cluster: Cluster) -> None:
    pv_name = _bound_claim(cluster, "held")
    cluster.delete("PersistentVolume", "", pv_name)
    cluster.settle()
    pv = cluster.store.must_get("PersistentVolume", "", pv_name)
    assert pv["metadata"]["deletionTimestamp"]
    assert claim(cluster, "held")["status"]["phase"] == "Bound"
    cluster.delete("PersistentVolumeClaim", "default", "held")
    cluster.settle()
    assert cluster.store.get("PersistentVolume", "", pv_name) is None


def test_claim_lost_when_its_volume_vanishes(cluster: Cluster) -> None:
    pv_name = _bound_claim(cluster, "fragile")
    cluster.store.remove("PersistentVolume", "", pv_name)
    cluster.settle()
    lost = claim(cluster, "fragile")
    assert lost["status"]["phase"] == "Lost"
    assert reasons(cluster, lost)[-1] == "ClaimLost"


def test_recreated_claim_gets_a_new_volume(cluster: Cluster) -> None:
    first = _bound_claim(cluster, "again")
    cluster.delete("PersistentVolumeClaim", "default", "again")
    cluster.settle()
    second = _bound_claim(cluster, "again")
    assert first != second
    assert cluster.store.get("PersistentVolume", "", first) is None


def test_claim_without_default_class_stays_classless() -> None:
    cluster = Cluster(seed=1, strict=True)
    sc = copy_obj(cluster.store.must_get("StorageClass", "", "standard"))
    sc["metadata"]["annotations"] = {}
    cluster.store.update(sc)
    cluster.store.create(pvc("x"))
    cluster.settle()
    assert "storageClassName" not in claim(cluster, "x")["spec"]
    assert claim(cluster, "x")["status"]["phase"] == "Pending"


def test_deleting_volume_objects_and_their_storage(cluster: Cluster) -> None:
    cluster.store.create(static_pv("kept", "1Gi", policy="Retain"))
    scrubbed = static_pv("scrubbed", "1Gi", policy="Delete")
    scrubbed["metadata"]["annotations"] = {
        "pv.kubernetes.io/provisioned-by": "playground.local/network"
    }
    cluster.store.create(scrubbed)
    cluster.settle()
    cluster.volume_data["kept"] = {"a": "1"}
    cluster.volume_data["scrubbed"] = {"a": "1"}
    cluster.delete("PersistentVolume", "", "kept")
    cluster.delete("PersistentVolume", "", "scrubbed")
    cluster.settle()
    assert cluster.store.get("PersistentVolume", "", "kept") is None
    assert cluster.volume_data == {"kept": {"a": "1"}}  # a Retain volume's storage outlives it


def test_claim_deleted_while_provisioning_gets_no_volume(cluster: Cluster) -> None:
    cluster.store.create(pvc("quick"))
    cluster.drain()
    cluster.delete("PersistentVolumeClaim", "default", "quick")
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "quick") is None
    assert cluster.store.count("PersistentVolume") == 0


def test_instant_provisioner_binds_in_the_same_reaction() -> None:
    cluster = isolated_cluster()
    cluster.timings.provision = 0
    cluster.store.create(pvc("now"))
    cluster.drain()
    assert claim(cluster, "now")["status"]["phase"] == "Bound"
    assert cluster.clock.now() == 0


def test_hand_made_volume_with_delete_policy_fails_to_reclaim(cluster: Cluster) -> None:
    pv = _release_static(cluster, "host", "Delete", {"a": "1"})
    assert pv["status"]["phase"] == "Failed"
    message = (
        'error getting deleter volume plugin for volume "host": no deletable volume plugin matched'
    )
    assert pv["status"]["message"] == message
    (event,) = cluster.events.for_object(pv)
    assert (event["type"], event["reason"], event["message"]) == (
        "Warning",
        "VolumeFailedDelete",
        message,
    )
    assert cluster.volume_data["host"] == {"a": "1"}


def _resize(cluster: Cluster, name: str, size: str) -> None:
    claim_obj = copy_obj(claim(cluster, name))
    claim_obj["spec"]["resources"]["requests"]["storage"] = size
    cluster.store.update(claim_obj)


def test_online_expansion_with_a_running_pod(cluster: Cluster) -> None:
    pv_name = _bound_claim(cluster, "www-web-0")
    cluster.store.create(pod_with_claim("web-0", "www-web-0"))
    set_pod_status(cluster, "default", "web-0", node="worker-1", ip="10.244.1.5")
    _resize(cluster, "www-web-0", "2Gi")
    cluster.drain()
    resizing = claim(cluster, "www-web-0")
    assert [c["type"] for c in resizing["status"]["conditions"]] == ["Resizing"]
    assert resizing["status"]["allocatedResources"] == {"storage": "2Gi"}
    assert resizing["status"]["capacity"] == {"storage": "1Gi"}
    cluster.settle()
    done = claim(cluster, "www-web-0")
    assert done["status"]["capacity"] == {"storage": "2Gi"}
    assert "conditions" not in done["status"]
    pv = cluster.store.must_get("PersistentVolume", "", pv_name)
    assert pv["spec"]["capacity"] == {"storage": "2Gi"}
    events = [(e["reason"], e["source"]["component"]) for e in cluster.events.for_object(done)]
    assert events[-3:] == [
        ("Resizing", "external-resizer playground.local/network"),
        ("FileSystemResizeRequired", "external-resizer playground.local/network"),
        ("FileSystemResizeSuccessful", "kubelet"),
    ]


def test_expansion_waits_for_a_pod_to_finish(cluster: Cluster) -> None:
    _bound_claim(cluster, "data")
    _resize(cluster, "data", "3Gi")
    cluster.settle()
    waiting = claim(cluster, "data")
    assert [c["type"] for c in waiting["status"]["conditions"]] == ["FileSystemResizePending"]
    assert waiting["status"]["allocatedResourceStatuses"] == {"storage": "NodeResizePending"}
    assert waiting["status"]["capacity"] == {"storage": "1Gi"}
    cluster.store.create(pod_with_claim("user", "data"))
    set_pod_status(cluster, "default", "user", node="worker-2")
    assert claim(cluster, "data")["status"]["capacity"] == {"storage": "3Gi"}


def test_no_expansion_without_allow_volume_expansion(cluster: Cluster) -> None:
    cluster.store.create(static_pv("fixed", "1Gi"))
    cluster.store.create(pvc("c", storageClassName="manual"))
    cluster.settle()
    with pytest.raises(StoreError, match="only dynamically provisioned pvc can be resized"):
        _resize(cluster, "c", "5Gi")  # the API's admission refuses it
    cluster.settle()
    assert claim(cluster, "c")["status"]["capacity"] == {"storage": "1Gi"}
    assert cluster.store.must_get("PersistentVolume", "", "fixed")["spec"]["capacity"] == {
        "storage": "1Gi"
    }
