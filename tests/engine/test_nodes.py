"""Node lifecycle: registration, pod CIDRs, kubelet down/up, taints and taint eviction."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.config import ClusterConfig, Timings
from engine.format import pod_status_column
from engine.node_status import condition
from engine.objects import Obj, copy_obj, pod_condition
from tests.engine.podutil import cond, create, events, get, make_pod, reasons, workload


def node(cluster: Cluster, name: str) -> Obj:
    return cluster.store.must_get("Node", "", name)


def ready(cluster: Cluster, name: str) -> dict[str, str]:
    c = condition(node(cluster, name), "Ready")
    assert c is not None
    return c


def taints(cluster: Cluster, name: str) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in node(cluster, name)["spec"].get("taints") or []]


def test_bootstrap_nodes_get_the_kubelet_conditions(cluster: Cluster) -> None:
    conditions = node(cluster, "worker-1")["status"]["conditions"]
    assert [(c["type"], c["status"], c["reason"]) for c in conditions] == [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True", "KubeletReady"),
    ]
    assert conditions[3]["message"] == "kubelet is posting ready status"


def test_applied_node_gets_status_and_the_next_pod_cidr(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kwok-1"}})
    cluster.drain()
    obj = node(cluster, "kwok-1")
    assert obj["spec"]["podCIDR"] == "10.244.4.0/24"
    assert obj["spec"]["podCIDRs"] == ["10.244.4.0/24"]
    assert obj["status"]["allocatable"]["pods"] == "110"
    assert obj["status"]["addresses"][0] == {"type": "InternalIP", "address": "172.18.0.6"}
    assert obj["metadata"]["labels"]["kubernetes.io/hostname"] == "kwok-1"
    assert ready(cluster, "kwok-1")["status"] == "True"
    assert events(cluster, obj) == [
        ("Normal", "RegisteredNode", "Node kwok-1 event: Registered Node kwok-1 in Controller")
    ]
    assert events(cluster, node(cluster, "worker-1")) == []
    create(cluster, make_pod("web-0", node="kwok-1"))
    cluster.advance(5)
    pod = get(cluster, "web-0")
    assert pod["status"]["podIP"] == "10.244.4.2"
    assert pod["status"]["hostIP"] == "172.18.0.6"


def test_node_down_not_ready_then_eviction_leaves_pods_terminating(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0", owner="web", node="worker-1"))
    create(cluster, make_pod("web-1", owner="web", node="worker-2"))
    cluster.advance(10)
    cluster.node_down("worker-1")
    cluster.advance(39.9)
    assert ready(cluster, "worker-1")["status"] == "True"
    assert taints(cluster, "worker-1") == []
    cluster.advance(0.1)
    state = ready(cluster, "worker-1")
    assert (state["status"], state["reason"], state["message"]) == (
        "Unknown",
        "NodeStatusUnknown",
        "Kubelet stopped posting node status.",
    )
    assert state["lastHeartbeatTime"] == "2026-07-06T10:00:10Z"
    assert taints(cluster, "worker-1") == [
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    ]
    pod = get(cluster, "web-0")
    assert cond(pod, "Ready") == "False"
    assert pod_status_column(pod) == "Running"
    assert ("Warning", "NodeNotReady", "Node is not ready") in events(cluster, pod)
    assert cond(get(cluster, "web-1"), "Ready") == "True"
    assert ("Normal", "NodeNotReady", "Node worker-1 status is now: NodeNotReady") in events(
        cluster, node(cluster, "worker-1")
    )

    create(cluster, make_pod("web-2", owner="web"))
    assert get(cluster, "web-2")["spec"]["nodeName"] != "worker-1"

    cluster.advance(299.9)
    assert not get(cluster, "web-0")["metadata"].get("deletionTimestamp")
    cluster.advance(0.1)
    pod = get(cluster, "web-0")
    assert pod["metadata"]["deletionTimestamp"]
    assert pod_status_column(pod) == "Terminating"
    disruption = pod_condition(pod, "DisruptionTarget")
    assert disruption is not None
    assert disruption["reason"] == "DeletionByTaintManager"
    assert ("Normal", "TaintManagerEviction", "Marking for deletion Pod default/web-0") in events(
        cluster, pod
    )
    cluster.advance(3600)
    assert pod_status_column(get(cluster, "web-0")) == "Terminating"

    cluster.node_up("worker-1")
    assert ready(cluster, "worker-1")["status"] == "True"
    assert taints(cluster, "worker-1") == []
    assert "NodeReady" in reasons(cluster, node(cluster, "worker-1"))
    cluster.advance(5)
    assert cluster.store.get("Pod", "default", "web-0") is None


def test_node_back_before_eviction_cancels_it(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0", node="worker-1"))
    cluster.advance(10)
    cluster.node_down("worker-1")
    cluster.advance(100)
    cluster.node_up("worker-1")
    pod = get(cluster, "web-0")
    assert ("Normal", "TaintManagerEviction", "Cancelling deletion of Pod default/web-0") in events(
        cluster, pod
    )
    assert cond(pod, "Ready") == "True"
    cluster.advance(600)
    assert not get(cluster, "web-0")["metadata"].get("deletionTimestamp")


def test_pod_tolerations_set_the_eviction_delay(cluster: Cluster) -> None:
    toleration = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 30,
    }
    create(cluster, make_pod("fast", node="worker-1", tolerations=[toleration]))
    cluster.advance(10)
    cluster.node_down("worker-1")
    cluster.advance(69.9)
    assert not get(cluster, "fast")["metadata"].get("deletionTimestamp")
    cluster.advance(0.1)
    assert get(cluster, "fast")["metadata"].get("deletionTimestamp")


def test_cordon_taints_the_node(cluster: Cluster) -> None:
    obj = copy_obj(node(cluster, "worker-2"))
    obj["spec"]["unschedulable"] = True
    cluster.store.update(obj)
    cluster.drain()
    assert taints(cluster, "worker-2") == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    assert "NodeNotSchedulable" in reasons(cluster, node(cluster, "worker-2"))
    obj = copy_obj(node(cluster, "worker-2"))
    obj["spec"]["unschedulable"] = False
    cluster.store.update(obj)
    cluster.drain()
    assert taints(cluster, "worker-2") == []


def live(cluster: Cluster, app: str) -> dict[str, tuple[str, str]]:
    """{pod: (node, STATUS column)} of the pods of ``app``."""
    return {
        p["metadata"]["name"]: (p["spec"].get("nodeName", ""), pod_status_column(p))
        for p in cluster.store.list("Pod", "default")
        if p["metadata"].get("labels", {}).get("app") == app
    }


def test_statefulset_pod_on_a_lost_node_is_replaced_only_after_force_delete(
    cluster: Cluster,
) -> None:
    cluster.store.create(workload("StatefulSet", "web", 3))
    cluster.advance(60)
    assert live(cluster, "web") == {
        "web-0": ("worker-1", "Running"),
        "web-1": ("worker-2", "Running"),
        "web-2": ("worker-3", "Running"),
    }
    old_ip = get(cluster, "web-1")["status"]["podIP"]
    cluster.node_down("worker-2")
    cluster.advance(340)
    cluster.advance(600)
    assert live(cluster, "web")["web-1"] == ("worker-2", "Terminating")
    assert len(live(cluster, "web")) == 3
    cluster.delete("Pod", "default", "web-1", force=True)
    cluster.advance(30)
    node, status = live(cluster, "web")["web-1"]
    assert (node, status) == ("worker-1", "Running")
    assert get(cluster, "web-1")["status"]["podIP"] != old_ip


@pytest.mark.parametrize("kind", ["ReplicaSet", "Deployment"])
def test_replicated_pod_on_a_lost_node_is_replaced_at_eviction(cluster: Cluster, kind: str) -> None:
    cluster.store.create(workload(kind, "api", 2))
    cluster.advance(30)
    before = live(cluster, "api")
    (lost,) = [name for name, (node, _) in before.items() if node == "worker-1"]
    cluster.node_down("worker-1")
    cluster.advance(339)
    assert len(live(cluster, "api")) == 2
    cluster.advance(1 + 10)
    after = live(cluster, "api")
    assert after[lost] == ("worker-1", "Terminating")
    fresh = [name for name in after if name not in before]
    assert len(fresh) == 1
    assert after[fresh[0]][1] == "Running"
    assert after[fresh[0]][0] != "worker-1"


def test_local_volume_keeps_the_replacement_pending_until_its_node_is_back(
    cluster: Cluster,
) -> None:
    cluster.store.create(workload("StatefulSet", "db", 2, claim_class="local"))
    cluster.advance(60)
    assert live(cluster, "db") == {"db-0": ("worker-1", "Running"), "db-1": ("worker-2", "Running")}
    cluster.node_down("worker-1")
    cluster.advance(340)
    cluster.delete("Pod", "default", "db-0", force=True)
    cluster.advance(30)
    pod = get(cluster, "db-0")
    assert live(cluster, "db")["db-0"] == ("", "Pending")
    scheduled = pod_condition(pod, "PodScheduled")
    assert scheduled is not None
    assert scheduled["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), "
        "2 node(s) didn't match PersistentVolume's node affinity. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    cluster.node_up("worker-1")
    cluster.advance(30)
    assert live(cluster, "db")["db-0"] == ("worker-1", "Running")


def test_out_of_service_taint_lets_the_statefulset_replace_the_pod(cluster: Cluster) -> None:
    cluster.store.create(workload("StatefulSet", "web", 3))
    cluster.advance(60)
    cluster.node_down("worker-2")
    cluster.advance(40)
    obj = copy_obj(node(cluster, "worker-2"))
    obj["spec"]["taints"].append(
        {"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"}
    )
    cluster.store.update(obj)
    cluster.drain()
    pod = get(cluster, "web-1")
    assert pod["spec"].get("nodeName") != "worker-2"
    cluster.advance(30)
    assert live(cluster, "web")["web-1"] == ("worker-1", "Running")


def test_pods_of_a_deleted_node_are_garbage_collected(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0", node="worker-3"))
    cluster.advance(10)
    cluster.store.delete("Node", "", "worker-3")
    cluster.advance(39.9)
    pod = get(cluster, "web-0")
    assert pod_status_column(pod) == "Running"
    seen: list[Obj] = []
    cluster.store.subscribe(lambda ev: seen.append(ev.obj), kinds=["Pod"])
    cluster.advance(0.1)
    assert cluster.store.get("Pod", "default", "web-0") is None
    last = seen[-1]
    assert last["status"]["phase"] == "Failed"
    disruption = pod_condition(last, "DisruptionTarget")
    assert disruption is not None
    assert (disruption["reason"], disruption["message"]) == (
        "DeletionByPodGC",
        "PodGC: node no longer exists",
    )


def test_eviction_timing_stands_for_the_default_toleration() -> None:
    cluster = Cluster(ClusterConfig(timings=Timings(eviction=30)), seed=1, strict=True)
    create(cluster, make_pod("web-0", node="worker-1"))
    cluster.advance(10)
    cluster.node_down("worker-1")
    cluster.advance(40 + 29.9)
    assert not get(cluster, "web-0")["metadata"].get("deletionTimestamp")
    cluster.advance(0.1)
    assert get(cluster, "web-0")["metadata"].get("deletionTimestamp")
