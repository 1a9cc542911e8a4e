"""Cluster DNS on the default manifest with every controller running (StatefulSet, scheduler,
kubelet, endpoints): the seed's scenario end to end on the virtual clock."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.dns import tools
from engine.dns.resolver import resolve
from engine.objects import pod_ip

HEADLESS = "nginx.default.svc.cluster.local"


def ips(cluster: Cluster, name: str = HEADLESS) -> set[str]:
    return {r.rdata for r in resolve(cluster, name, "A").records("A")}


def ip_of(cluster: Cluster, pod: str) -> str:
    return pod_ip(cluster.store.must_get("Pod", "default", pod))


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    cluster.apply("demos/manifests/web.yaml")
    cluster.settle()
    return cluster


def test_nslookup_nginx_returns_both_pod_ips(web: Cluster) -> None:
    result = tools.run_nslookup(web, ["nginx"])
    addresses = {
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("Address: ")
    }
    assert addresses == {ip_of(web, "web-0"), ip_of(web, "web-1")}
    assert result.stdout.count("Name:\tnginx.default.svc.cluster.local\n") == 2


def test_nslookup_pod_fqdn_returns_its_ip(web: Cluster) -> None:
    result = tools.run_nslookup(web, ["web-0.nginx.default.svc.cluster.local"])
    assert result.stdout == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        f"Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: {ip_of(web, 'web-0')}\n\n\n"
    )
    assert result.code == 0


def test_statefulset_pods_get_stable_names_and_ptr(web: Cluster) -> None:
    for pod in ("web-0", "web-1"):
        assert ips(web, f"{pod}.{HEADLESS}") == {ip_of(web, pod)}
        reverse = ".".join(reversed(ip_of(web, pod).split("."))) + ".in-addr.arpa"
        (ptr,) = resolve(web, reverse, "PTR").answer
        assert ptr.rdata == f"{pod}.{HEADLESS}."


def test_deleted_pod_returns_with_the_same_name_and_a_new_ip(web: Cluster) -> None:
    old = ip_of(web, "web-0")
    web.delete("Pod", "default", "web-0")
    assert web.store.must_get("Pod", "default", "web-0")["metadata"]["deletionTimestamp"]
    assert ips(web) == {ip_of(web, "web-1")}  # gone from DNS while still Terminating
    web.settle()
    new = ip_of(web, "web-0")
    assert new != old
    assert ips(web, f"web-0.{HEADLESS}") == {new}
    old_reverse = ".".join(reversed(old.split("."))) + ".in-addr.arpa"
    assert resolve(web, old_reverse, "PTR").rcode == "NXDOMAIN"


def test_failing_readiness_drops_the_pod_from_dns(web: Cluster) -> None:
    web.fault_readiness("default", "web-1", True)
    web.advance(60)
    assert ips(web) == {ip_of(web, "web-0")}
    assert resolve(web, f"web-1.{HEADLESS}", "A").rcode == "NXDOMAIN"
    web.fault_readiness("default", "web-1", False)
    web.advance(60)
    assert ips(web) == {ip_of(web, "web-0"), ip_of(web, "web-1")}


def test_scale_up_adds_names(web: Cluster) -> None:
    web.scale("StatefulSet", "default", "web", 3)
    web.settle()
    assert len(ips(web)) == 3
    assert ips(web, f"web-2.{HEADLESS}") == {ip_of(web, "web-2")}
    srv = resolve(web, f"_web._tcp.{HEADLESS}", "SRV")
    assert {r.rdata.split()[1] for r in srv.answer} == {"33"}


def test_scale_to_zero_makes_the_service_name_nxdomain(web: Cluster) -> None:
    web.scale("StatefulSet", "default", "web", 0)
    web.settle()
    assert resolve(web, HEADLESS, "A").rcode == "NXDOMAIN"
    assert tools.run_nslookup(web, ["web-0.nginx.default.svc.cluster.local"]).code == 1
