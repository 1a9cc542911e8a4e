"""ClusterIP allocation (k8s-semantics.md §4.1, decision 5)."""

from __future__ import annotations

import ipaddress
import random

import pytest

from engine.cluster import Cluster
from engine.objects import copy_obj
from engine.services import ClusterIPAllocator
from engine.store import Invalid
from tests.engine.dns_scenario import service

UPPER_FIRST = ipaddress.IPv4Address("10.96.1.1")
UPPER_LAST = ipaddress.IPv4Address("10.111.255.254")


def cluster_ip(cluster: Cluster, name: str, namespace: str = "default") -> str:
    return str(cluster.store.must_get("Service", namespace, name)["spec"]["clusterIP"])


def test_bootstrap_services_keep_kubeadm_addresses(cluster: Cluster) -> None:
    assert cluster_ip(cluster, "kubernetes") == "10.96.0.1"
    assert cluster_ip(cluster, "kube-dns", "kube-system") == "10.96.0.10"


def test_new_service_gets_a_random_upper_band_address_with_defaults(cluster: Cluster) -> None:
    svc = cluster.store.create(service("web", selector={"app": "web"}))
    ip = ipaddress.IPv4Address(svc["spec"]["clusterIP"])
    assert UPPER_FIRST <= ip <= UPPER_LAST
    assert svc["spec"]["clusterIPs"] == [str(ip)]
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ipFamilies"] == ["IPv4"]
    assert svc["spec"]["ports"][0]["targetPort"] == 80
    assert svc["spec"]["ports"][0]["protocol"] == "TCP"


def test_allocation_is_seeded() -> None:
    ips = []
    for _ in range(2):
        c = Cluster(seed=7)
        ips.append([c.store.create(service(f"s{i}"))["spec"]["clusterIP"] for i in range(3)])
    assert ips[0] == ips[1]
    assert len(set(ips[0])) == 3
    other = Cluster(seed=8)
    assert other.store.create(service("s0"))["spec"]["clusterIP"] != ips[0][0]


def test_explicit_ip_honoured_when_free(cluster: Cluster) -> None:
    svc = cluster.store.create(service("db", clusterIP="10.96.0.50"))
    assert svc["spec"]["clusterIPs"] == ["10.96.0.50"]


def test_explicit_ip_already_allocated_is_rejected(cluster: Cluster) -> None:
    with pytest.raises(Invalid) as err:
        cluster.store.create(service("dup", clusterIP="10.96.0.1"))
    assert str(err.value) == (
        'Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
        "failed to allocate IP 10.96.0.1: provided IP is already allocated"
    )
    assert cluster.store.get("Service", "default", "dup") is None


def test_explicit_ip_outside_range_is_rejected(cluster: Cluster) -> None:
    with pytest.raises(Invalid, match=r"not in the valid range. The range of valid IPs is"):
        cluster.store.create(service("far", clusterIP="192.168.0.1"))


def test_malformed_ip_is_rejected(cluster: Cluster) -> None:
    with pytest.raises(Invalid, match=r'spec.clusterIPs\[0\]: Invalid value: "abc"'):
        cluster.store.create(service("bad", clusterIP="abc"))


def test_headless_service_gets_none(cluster: Cluster) -> None:
    svc = cluster.store.create(service("nginx", headless=True, selector={"app": "nginx"}))
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["clusterIPs"] == ["None"]


def test_cluster_ip_is_immutable_and_kept_when_omitted(cluster: Cluster) -> None:
    svc = cluster.store.create(service("web"))
    ip = svc["spec"]["clusterIP"]
    changed = copy_obj(svc)
    changed["spec"]["clusterIP"] = "10.96.0.77"
    changed["spec"]["clusterIPs"] = ["10.96.0.77"]
    with pytest.raises(Invalid, match=r"spec.clusterIPs\[0\].*may not change once set"):
        cluster.store.update(changed)
    omitted = copy_obj(svc)
    del omitted["spec"]["clusterIP"], omitted["spec"]["clusterIPs"]
    omitted["spec"]["ports"][0]["port"] = 8080
    stored = cluster.store.update(omitted)
    assert stored["spec"]["clusterIP"] == ip
    assert stored["spec"]["clusterIPs"] == [ip]


def test_headless_cannot_become_cluster_ip(cluster: Cluster) -> None:
    svc = copy_obj(cluster.store.create(service("h", headless=True)))
    svc["spec"]["clusterIP"], svc["spec"]["clusterIPs"] = "10.96.0.77", ["10.96.0.77"]
    with pytest.raises(Invalid, match="may not change once set"):
        cluster.store.update(svc)


def test_address_released_on_delete(cluster: Cluster) -> None:
    cluster.store.create(service("a", clusterIP="10.96.0.60"))
    with pytest.raises(Invalid):
        cluster.store.create(service("b", clusterIP="10.96.0.60"))
    cluster.delete("Service", "default", "a")
    assert cluster.store.create(service("b", clusterIP="10.96.0.60"))["spec"]["clusterIP"]


def test_allocator_falls_back_to_lower_band_when_upper_is_full() -> None:
    alloc = ClusterIPAllocator("10.0.0.0/28", random.Random(1))  # 14 addresses, offset 16
    assert alloc.offset == 16
    assert alloc.size == 14
    got = {alloc.allocate_next(("ns", f"s{i}")) for i in range(14)}
    assert len(got) == 14
    with pytest.raises(ValueError, match="range is full"):
        alloc.allocate_next(("ns", "x"))


def test_allocator_prefers_upper_band() -> None:
    alloc = ClusterIPAllocator("10.96.0.0/24", random.Random(3))  # 254 addresses, offset 16
    for i in range(238):
        ip = ipaddress.IPv4Address(alloc.allocate_next(("ns", f"s{i}")))
        assert ip >= ipaddress.IPv4Address("10.96.0.17")
    low = ipaddress.IPv4Address(alloc.allocate_next(("ns", "low")))
    assert low <= ipaddress.IPv4Address("10.96.0.16")
