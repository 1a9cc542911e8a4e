"""What each kubelet sync costs: no sync for its own status write, no render when nothing a
render reads changed, and the stored status's unchanged parts handed back to the store."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.controllers.kubelet import Kubelet, _host_ip
from engine.objects import Obj
from engine.pod_status import reuse_stored
from tests.engine.podutil import cond, create, get, make_pod


def _kubelet(cluster: Cluster) -> Kubelet:
    kubelet = cluster.controller("kubelet")
    assert isinstance(kubelet, Kubelet)
    return kubelet


def _count_syncs(kubelet: Kubelet) -> list[tuple[float, str]]:
    syncs: list[tuple[float, str]] = []
    original = kubelet.sync

    def sync(key: str) -> None:
        syncs.append((kubelet.clock.now(), key))
        original(key)

    kubelet.sync = sync  # type: ignore[method-assign]
    return syncs


def test_a_pod_start_takes_one_sync_per_step_none_for_its_own_writes(cluster: Cluster) -> None:
    syncs = _count_syncs(_kubelet(cluster))
    writes: list[float] = []
    cluster.store.subscribe(
        lambda ev: writes.append(cluster.clock.now()) if ev.type == "MODIFIED" else None, ["Pod"]
    )
    create(cluster, make_pod("web-0"))
    cluster.settle()
    assert cond(get(cluster, "web-0"), "Ready") == "True"
    # bound (pull begins) → pull done → container started → ready: four syncs, three of
    # them writing a status; none is woken by the kubelet's own write
    assert [key for _t, key in syncs] == ["default/web-0"] * 4
    assert len(writes) == 4  # the binding and three status writes


def test_a_status_another_writer_changed_is_rendered_again(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.settle()
    pod = get(cluster, "web-0")
    conditions = [
        {**c, "status": "False"} if c["type"] == "Ready" else c for c in pod["status"]["conditions"]
    ]
    cluster.store.update({**pod, "status": {**pod["status"], "conditions": conditions}})
    cluster.drain()
    assert cond(get(cluster, "web-0"), "Ready") == "True"


def test_the_stored_status_is_what_a_fresh_render_gives_at_every_step(cluster: Cluster) -> None:
    from engine.pod_status import render_status

    kubelet = _kubelet(cluster)
    create(cluster, make_pod("web-0"))
    for _ in range(12):
        cluster.advance(0.5)
        pod = get(cluster, "web-0")
        run = kubelet._runs["default/web-0"]
        node = cluster.store.must_get("Node", "", pod["spec"]["nodeName"])
        assert render_status(pod, run, _host_ip(node), cluster.clock) == pod["status"]


def test_unchanged_parts_of_a_new_status_are_the_stored_ones(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(3.0)  # Running, not Ready yet
    running = get(cluster, "web-0")["status"]
    assert running["phase"] == "Running"
    cluster.settle()
    ready = get(cluster, "web-0")["status"]
    assert ready is not running
    assert ready["podIPs"] is running["podIPs"]
    assert ready["hostIPs"] is running["hostIPs"]
    assert ready["containerStatuses"][0]["state"] is running["containerStatuses"][0]["state"]
    kept = [c for c in ready["conditions"] if c["type"] in ("PodScheduled", "Initialized")]
    assert all(any(c is old for old in running["conditions"]) for c in kept)


def test_reuse_stored_never_edits_what_it_is_given() -> None:
    last: Obj = {"a": {"x": 1}, "b": [{"y": 2}, {"z": 3}], "c": "s"}
    stored: Obj = {"a": {"x": 1}, "b": [{"y": 2}, {"z": 3}], "c": "s"}
    new: Obj = {"a": {"x": 1}, "b": [{"y": 2}, {"z": 4}], "c": "t"}
    out = reuse_stored(new, last, stored)
    assert out == {"a": {"x": 1}, "b": [{"y": 2}, {"z": 4}], "c": "t"}
    assert out["a"] is stored["a"]
    assert out["b"][0] is stored["b"][0]
    assert out["b"][1] is new["b"][1]
    assert out["b"] is not new["b"]
    assert new["a"] is not stored["a"]
    assert new["b"][0] is not stored["b"][0]
    assert reuse_stored(dict(last), last, stored) is stored
    assert reuse_stored([1, 2], [1], [1]) == [1, 2]  # other lengths: nothing to share


def test_an_address_a_pod_or_a_run_on_the_node_holds_is_skipped() -> None:
    from engine.config import ClusterConfig
    from engine.pod_runtime import new_run

    cluster = Cluster(ClusterConfig(nodes=2), seed=1, strict=True)
    kubelet = _kubelet(cluster)
    node = cluster.store.must_get("Node", "", "worker-1")
    prefix = node["spec"]["podCIDR"].rsplit(".", 1)[0]
    assert kubelet.allocate_ip(node) == f"{prefix}.2"
    held = make_pod("held", node="worker-1")
    held["status"] = {"podIP": f"{prefix}.3"}
    cluster.store.create(held)  # not synced yet: only its stored address counts
    elsewhere = make_pod("elsewhere", node="worker-2")
    elsewhere["status"] = {"podIP": f"{prefix}.4"}
    cluster.store.create(elsewhere)  # another node's pod does not take this node's address
    assert kubelet.allocate_ip(node) == f"{prefix}.4"
    run = new_run(make_pod("runner", node="worker-1"), "worker-1", 0.0)
    run.ip = f"{prefix}.5"
    kubelet._runs["default/runner"] = run
    assert kubelet.allocate_ip(node) == f"{prefix}.6"
    del kubelet._runs["default/runner"]
    cluster.store.delete("Pod", "default", "held", grace_period=0)
    assert not kubelet._runs.ip_taken("worker-1", f"{prefix}.5")
