"""default-scheduler: spreading, capacity, taints, volume topology and its failure messages."""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.config import ClusterConfig
from engine.objects import Obj, copy_obj, pod_condition
from engine.scheduling import fit_error
from tests.engine.podutil import create, events, get, make_pod


def node_of(cluster: Cluster, name: str) -> str:
    return str(get(cluster, name)["spec"].get("nodeName", ""))


def claim(name: str, *, storage_class: str | None = None, volume: str = "") -> Obj:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
    }
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
        "status": {"phase": "Pending"},
    }
    if volume:
        spec["volumeName"] = volume
        obj["status"] = {"phase": "Bound"}
    return obj


def local_pv(name: str, node: str, claim_name: str) -> Obj:
    hostname = {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "",
            "local": {"path": f"/mnt/disks/{name}"},
            "claimRef": {"namespace": "default", "name": claim_name},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [hostname]}]}},
        },
        "status": {"phase": "Bound"},
    }


def with_claim(name: str, claim_name: str) -> Obj:
    volumes = [{"name": "www", "persistentVolumeClaim": {"claimName": claim_name}}]
    return make_pod(name, owner="web", volumes=volumes)


def test_pods_of_one_owner_spread_over_the_nodes(cluster: Cluster) -> None:
    for i in range(6):
        create(cluster, make_pod(f"web-{i}", owner="web"))
    nodes = [node_of(cluster, f"web-{i}") for i in range(6)]
    assert nodes == ["worker-1", "worker-2", "worker-3"] * 2
    pod = get(cluster, "web-4")
    scheduled = pod_condition(pod, "PodScheduled")
    assert scheduled is not None
    assert scheduled["status"] == "True"
    assert events(cluster, pod)[0] == (
        "Normal",
        "Scheduled",
        "Successfully assigned default/web-4 to worker-2",
    )


def test_other_owners_pods_count_only_as_load(cluster: Cluster) -> None:
    create(cluster, make_pod("other-0", owner="other", node="worker-1"))
    create(cluster, make_pod("other-1", owner="other", node="worker-1"))
    create(cluster, make_pod("other-2", owner="other", node="worker-2"))
    create(cluster, make_pod("web-0", owner="web"))
    create(cluster, make_pod("web-1", owner="web"))
    assert [node_of(cluster, "web-0"), node_of(cluster, "web-1")] == ["worker-3", "worker-2"]


def test_full_nodes_leave_the_pod_pending_with_the_scheduler_message() -> None:
    cluster = Cluster(ClusterConfig(node_capacity=1), seed=1, strict=True)
    for i in range(4):
        create(cluster, make_pod(f"web-{i}", owner="web"))
    pod = get(cluster, "web-3")
    assert "nodeName" not in pod["spec"]
    message = (
        "0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )
    scheduled = pod_condition(pod, "PodScheduled")
    assert scheduled is not None
    assert (scheduled["status"], scheduled["reason"], scheduled["message"]) == (
        "False",
        "Unschedulable",
        message,
    )
    assert events(cluster, pod) == [("Warning", "FailedScheduling", message)]
    assert pod["status"]["phase"] == "Pending"

    cluster.advance(10)
    cluster.delete("Pod", "default", "web-1")
    cluster.advance(4.9)
    assert "nodeName" not in get(cluster, "web-3")["spec"]
    cluster.advance(0.1)
    assert node_of(cluster, "web-3") == "worker-2"
    assert pod_condition(get(cluster, "web-3"), "PodScheduled")["status"] == "True"  # type: ignore[index]


def test_cordoned_and_tainted_nodes_are_filtered(cluster: Cluster) -> None:
    node = copy_obj(cluster.store.must_get("Node", "", "worker-1"))
    node["spec"]["unschedulable"] = True
    cluster.store.update(node)
    node = copy_obj(cluster.store.must_get("Node", "", "worker-2"))
    node["spec"]["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    cluster.store.update(node)
    node = copy_obj(cluster.store.must_get("Node", "", "worker-3"))
    node["metadata"]["labels"]["disk"] = "hdd"
    cluster.store.update(node)
    cluster.drain()
    create(cluster, make_pod("web-0", nodeSelector={"disk": "ssd"}))
    message = pod_condition(get(cluster, "web-0"), "PodScheduled")["message"]  # type: ignore[index]
    assert message == (
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
        "1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    toleration = {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}
    create(cluster, make_pod("db-0", tolerations=[toleration]))
    assert node_of(cluster, "db-0") == "worker-2"


def test_bound_local_volume_pins_the_pod_to_its_node(cluster: Cluster) -> None:
    create(cluster, make_pod("busy-0", node="worker-2"))
    cluster.store.create(local_pv("pv-a", "worker-2", "www-web-0"))
    cluster.store.create(claim("www-web-0", storage_class="", volume="pv-a"))
    create(cluster, with_claim("web-0", "www-web-0"))
    assert node_of(cluster, "web-0") == "worker-2"


def test_volume_on_an_unavailable_node_is_reported(cluster: Cluster) -> None:
    cluster.store.create(local_pv("pv-a", "worker-2", "www-web-0"))
    cluster.store.create(claim("www-web-0", storage_class="", volume="pv-a"))
    node = copy_obj(cluster.store.must_get("Node", "", "worker-2"))
    node["spec"]["unschedulable"] = True
    cluster.store.update(node)
    create(cluster, with_claim("web-0", "www-web-0"))
    message = pod_condition(get(cluster, "web-0"), "PodScheduled")["message"]  # type: ignore[index]
    assert message == (
        "0/3 nodes are available: 1 node(s) were unschedulable, "
        "2 node(s) didn't match PersistentVolume's node affinity. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_wait_for_first_consumer_claim_gets_the_selected_node(cluster: Cluster) -> None:
    cluster.store.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "manual-local"},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )
    create(cluster, make_pod("busy-0", node="worker-1"))
    cluster.store.create(claim("www-web-0", storage_class="manual-local"))
    create(cluster, with_claim("web-0", "www-web-0"))
    pvc = cluster.store.must_get("PersistentVolumeClaim", "default", "www-web-0")
    assert pvc["metadata"]["annotations"] == {"volume.kubernetes.io/selected-node": "worker-2"}
    assert "nodeName" not in get(cluster, "web-0")["spec"]
    assert pod_condition(get(cluster, "web-0"), "PodScheduled") is None
    # the provisioner creates a volume on the selected node and binds the claim
    cluster.store.create(local_pv("pv-local", "worker-2", "www-web-0"))
    bound = copy_obj(pvc)
    bound["spec"]["volumeName"] = "pv-local"
    bound["status"] = {"phase": "Bound"}
    cluster.store.update(bound)
    cluster.drain()
    assert node_of(cluster, "web-0") == "worker-2"


def test_unbound_immediate_or_missing_claims_keep_the_pod_pending(cluster: Cluster) -> None:
    create(cluster, with_claim("web-0", "missing"))
    message = pod_condition(get(cluster, "web-0"), "PodScheduled")["message"]  # type: ignore[index]
    assert message == (
        '0/3 nodes are available: persistentvolumeclaim "missing" not found. '
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    cluster.store.create(claim("www-web-1", storage_class="no-provisioner-class"))
    create(cluster, with_claim("web-1", "www-web-1"))
    message = pod_condition(get(cluster, "web-1"), "PodScheduled")["message"]  # type: ignore[index]
    assert message.startswith(
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption:"
    )
    cluster.store.create(claim("missing", storage_class="", volume="pv-b"))
    cluster.store.create(local_pv("pv-b", "worker-3", "missing"))
    cluster.drain()
    assert node_of(cluster, "web-0") == "worker-3"


def test_fit_error_text() -> None:
    reasons = {
        "a": ["Too many pods"],
        "b": ["node(s) had untolerated taint(s)"],
        "c": ["Too many pods"],
    }
    assert fit_error(3, reasons) == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Too many pods. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )
    assert fit_error(0, {}) == "no nodes available to schedule pods"


def test_cpu_and_memory_requests_must_fit(cluster: Cluster) -> None:
    big = {"resources": {"requests": {"cpu": "3", "memory": "6Gi"}}}
    for i in range(3):
        create(cluster, make_pod(f"big-{i}", owner="big", container=big))
    assert {node_of(cluster, f"big-{i}") for i in range(3)} == {"worker-1", "worker-2", "worker-3"}
    limits_only = {"resources": {"limits": {"cpu": "1500m", "memory": "512Mi"}}}
    create(cluster, make_pod("web-0", container=limits_only))
    message = pod_condition(get(cluster, "web-0"), "PodScheduled")["message"]  # type: ignore[index]
    assert message == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )
    create(
        cluster,
        make_pod("huge", container={"resources": {"requests": {"cpu": "8", "memory": "9Gi"}}}),
    )
    message = pod_condition(get(cluster, "huge"), "PodScheduled")["message"]  # type: ignore[index]
    assert message.startswith("0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.")
    small = {"resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}}
    create(cluster, make_pod("small", container=small))
    assert node_of(cluster, "small") == "worker-1"
