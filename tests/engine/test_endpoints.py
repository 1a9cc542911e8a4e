"""Endpoints and EndpointSlice controllers (k8s-semantics.md §4.2–4.4)."""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.controllers.endpoints import EndpointsController
from engine.objects import Obj, copy_obj
from tests.engine.dns_scenario import add_pod, pod, published_web_0, seed_scenario, service
from tests.helpers import set_pod_status


def endpoints(cluster: Cluster, name: str, ns: str = "default") -> Obj | None:
    return cluster.store.get("Endpoints", ns, name)


def slices(cluster: Cluster, name: str, ns: str = "default") -> list[Obj]:
    return [
        s
        for s in cluster.store.list("EndpointSlice", ns)
        if s["metadata"]["labels"].get("kubernetes.io/service-name") == name
    ]


def slice_endpoints(cluster: Cluster, name: str) -> list[dict[str, Any]]:
    return [ep for s in slices(cluster, name) for ep in s.get("endpoints") or []]


def addresses(cluster: Cluster, name: str, field: str = "addresses") -> list[str]:
    ep = endpoints(cluster, name)
    assert ep is not None
    return [a["ip"] for sub in ep.get("subsets") or [] for a in sub.get(field) or []]


def test_headless_service_endpoints_have_hostnames_targets_and_ports(cluster: Cluster) -> None:
    seed_scenario(cluster)
    ep = endpoints(cluster, "nginx")
    assert ep is not None
    assert ep["metadata"]["labels"] == {"app": "nginx", "service.kubernetes.io/headless": ""}
    (subset,) = ep["subsets"]
    assert subset["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
    first = subset["addresses"][0]
    web0 = cluster.store.must_get("Pod", "default", "web-0")
    assert first == {
        "ip": "10.244.1.10",
        "hostname": "web-0",
        "nodeName": "worker-1",
        "targetRef": {
            "kind": "Pod",
            "namespace": "default",
            "name": "web-0",
            "uid": web0["metadata"]["uid"],
        },
    }
    assert "notReadyAddresses" not in subset


def test_slice_shape(cluster: Cluster) -> None:
    seed_scenario(cluster)
    (sl,) = slices(cluster, "nginx")
    md = sl["metadata"]
    assert md["name"].startswith("nginx-")
    assert len(md["name"]) == len("nginx-") + 5
    assert md["generateName"] == "nginx-"
    assert md["labels"] == {
        "app": "nginx",
        "kubernetes.io/service-name": "nginx",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        "service.kubernetes.io/headless": "",
    }
    svc = cluster.store.must_get("Service", "default", "nginx")
    assert md["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
    assert md["ownerReferences"][0]["controller"] is True
    assert sl["addressType"] == "IPv4"
    assert sl["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
    assert sl["endpoints"][1] == {
        "addresses": ["10.244.2.11"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "hostname": "web-1",
        "targetRef": {
            "kind": "Pod",
            "namespace": "default",
            "name": "web-1",
            "uid": cluster.store.must_get("Pod", "default", "web-1")["metadata"]["uid"],
        },
        "nodeName": "worker-2",
    }


def test_slice_names_are_seeded() -> None:
    names = []
    for _ in range(2):
        c = Cluster(seed=5)
        seed_scenario(c)
        names.append([s["metadata"]["name"] for s in slices(c, "nginx")])
    assert names[0] == names[1]


def test_unready_pod_goes_to_not_ready_addresses_and_slice_ready_false(cluster: Cluster) -> None:
    seed_scenario(cluster)
    set_pod_status(cluster, "default", "web-1", ip="10.244.2.11", ready=False)
    assert addresses(cluster, "nginx") == ["10.244.1.10"]
    assert addresses(cluster, "nginx", "notReadyAddresses") == ["10.244.2.11"]
    conditions = {e["addresses"][0]: e["conditions"] for e in slice_endpoints(cluster, "nginx")}
    assert conditions["10.244.2.11"] == {"ready": False, "serving": False, "terminating": False}


def test_publish_not_ready_addresses(cluster: Cluster) -> None:
    published_web_0(cluster, ready=False)
    assert addresses(cluster, "nginx") == ["10.244.1.10"]
    (ep,) = slice_endpoints(cluster, "nginx")
    assert ep["conditions"] == {"ready": True, "serving": False, "terminating": False}


def test_terminating_pod_leaves_endpoints_but_stays_in_slice_not_ready(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.store.delete("Pod", "default", "web-1")
    cluster.drain()
    assert cluster.store.must_get("Pod", "default", "web-1")["metadata"]["deletionTimestamp"]
    assert addresses(cluster, "nginx") == ["10.244.1.10"]
    assert addresses(cluster, "nginx", "notReadyAddresses") == []
    conditions = {e["addresses"][0]: e["conditions"] for e in slice_endpoints(cluster, "nginx")}
    assert conditions["10.244.2.11"] == {"ready": False, "serving": True, "terminating": True}


def test_terminating_pod_with_publish_not_ready_stays_ready(cluster: Cluster) -> None:
    published_web_0(cluster)
    cluster.store.delete("Pod", "default", "web-0")
    cluster.drain()
    assert addresses(cluster, "nginx") == ["10.244.1.10"]
    (ep,) = slice_endpoints(cluster, "nginx")
    assert ep["conditions"] == {"ready": True, "serving": True, "terminating": True}


def test_pods_without_ip_or_terminal_are_excluded(cluster: Cluster) -> None:
    cluster.store.create(service("app", selector={"app": "x"}))
    cluster.store.create(pod("pending", {"app": "x"}))
    add_pod(cluster, pod("done", {"app": "x"}), "10.244.1.20")
    set_pod_status(cluster, "default", "done", phase="Succeeded", ready=False)
    cluster.drain()
    assert cluster.store.must_get("Endpoints", "default", "app").get("subsets") is None
    (sl,) = slices(cluster, "app")
    assert sl["endpoints"] is None  # the placeholder slice


def test_addresses_sorted_by_ip_string(cluster: Cluster) -> None:
    cluster.store.create(service("app", selector={"app": "x"}))
    for name, ip in (("a", "10.244.1.9"), ("b", "10.244.1.10"), ("c", "10.244.1.100")):
        add_pod(cluster, pod(name, {"app": "x"}), ip)
    assert addresses(cluster, "app") == ["10.244.1.10", "10.244.1.100", "10.244.1.9"]


def test_hostname_only_when_subdomain_names_the_service(cluster: Cluster) -> None:
    cluster.store.create(service("nginx", headless=True, selector={"app": "nginx"}))
    manifest = pod("web-0", {"app": "nginx"}, hostname="web-0", subdomain="other")
    add_pod(cluster, manifest, "10.244.1.10")
    ep = endpoints(cluster, "nginx")
    assert ep is not None
    assert "hostname" not in ep["subsets"][0]["addresses"][0]
    assert "hostname" not in slice_endpoints(cluster, "nginx")[0]


def test_named_target_port_resolved_per_pod(cluster: Cluster) -> None:
    ports = [{"name": "http", "port": 80, "targetPort": "web"}]
    cluster.store.create(service("app", selector={"app": "x"}, ports=ports))
    add_pod(cluster, pod("a", {"app": "x"}, port=8080), "10.244.1.20")
    add_pod(cluster, pod("b", {"app": "x"}, port=9090), "10.244.1.21")
    add_pod(cluster, pod("c", {"app": "x"}, port_name="other"), "10.244.1.22")
    ep = endpoints(cluster, "app")
    assert ep is not None
    got = {s["ports"][0]["port"]: [a["ip"] for a in s["addresses"]] for s in ep["subsets"]}
    assert got == {8080: ["10.244.1.20"], 9090: ["10.244.1.21"]}
    assert {s["ports"][0]["port"] for s in slices(cluster, "app")} == {8080, 9090}


def test_service_without_selector_gets_nothing(cluster: Cluster) -> None:
    cluster.store.create(service("manual"))
    cluster.drain()
    assert endpoints(cluster, "manual") is None
    assert slices(cluster, "manual") == []


def test_label_change_moves_pod_between_services(cluster: Cluster) -> None:
    cluster.store.create(service("blue", selector={"color": "blue"}))
    cluster.store.create(service("green", selector={"color": "green"}))
    add_pod(cluster, pod("p", {"color": "blue"}), "10.244.1.30")
    assert addresses(cluster, "blue") == ["10.244.1.30"]
    moved = copy_obj(cluster.store.must_get("Pod", "default", "p"))
    moved["metadata"]["labels"] = {"color": "green"}
    cluster.store.update(moved)
    cluster.drain()
    assert addresses(cluster, "blue") == []
    assert addresses(cluster, "green") == ["10.244.1.30"]


def test_recreated_pod_same_name_new_ip(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.delete("Pod", "default", "web-0", force=True)
    assert addresses(cluster, "nginx") == ["10.244.2.11"]
    manifest = pod("web-0", {"app": "nginx"}, hostname="web-0", subdomain="nginx")
    add_pod(cluster, manifest, "10.244.1.11")
    assert addresses(cluster, "nginx") == ["10.244.1.11", "10.244.2.11"]
    assert [e["hostname"] for e in slice_endpoints(cluster, "nginx")] == ["web-0", "web-1"]


def test_service_deleted_removes_endpoints_and_slices(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.delete("Service", "default", "nginx")
    assert endpoints(cluster, "nginx") is None
    assert slices(cluster, "nginx") == []


def test_pod_event_only_enqueues_selecting_services(cluster: Cluster) -> None:
    for i in range(50):
        cluster.store.create(service(f"s{i}", selector={"app": f"a{i}"}))
    cluster.drain()
    ctrl = cluster.controller("endpoint-controller")
    assert isinstance(ctrl, EndpointsController)
    synced: list[str] = []
    original = ctrl.sync

    def spy(key: str) -> None:
        synced.append(key)
        original(key)

    ctrl.sync = spy  # type: ignore[method-assign]
    add_pod(cluster, pod("p", {"app": "a7", "tier": "web"}), "10.244.1.40")
    assert set(synced) == {"default/s7"}


def test_last_change_trigger_time_follows_the_publishing_change(cluster: Cluster) -> None:
    seed_scenario(cluster)
    key = "endpoints.kubernetes.io/last-change-trigger-time"
    ep = endpoints(cluster, "nginx")
    assert ep is not None
    assert ep["metadata"]["annotations"][key] == "2026-07-06T10:00:00Z"
    cluster.advance(30)
    set_pod_status(cluster, "default", "web-1", ip="10.244.2.11", ready=False)
    changed = cluster.clock.timestamp()
    ep = endpoints(cluster, "nginx")
    assert ep is not None
    assert ep["metadata"]["annotations"][key] == changed
    (sl,) = slices(cluster, "nginx")
    assert sl["metadata"]["annotations"][key] == changed
