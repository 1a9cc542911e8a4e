"""Readiness and DNS (k8s-semantics.md §5.3): answers follow the EndpointSlices at once."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.dns.records import Answer
from engine.dns.resolver import resolve
from engine.objects import is_pod_ready
from tests.engine.dns_scenario import add_pod, pod, published_web_0, seed_scenario, service
from tests.helpers import set_pod_status

HEADLESS = "nginx.default.svc.cluster.local"


def ips(answer: Answer) -> set[str]:
    return {r.rdata for r in answer.records("A")}


def srv_targets(cluster: Cluster) -> set[str]:
    answer = resolve(cluster, f"_web._tcp.{HEADLESS}", "SRV")
    return {r.rdata.split()[3] for r in answer.answer}


def test_unready_pod_drops_out_of_every_record(cluster: Cluster) -> None:
    seed_scenario(cluster)
    set_pod_status(cluster, "default", "web-1", ip="10.244.2.11", ready=False)
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.10"}
    assert resolve(cluster, f"web-1.{HEADLESS}", "A").rcode == "NXDOMAIN"
    assert srv_targets(cluster) == {f"web-0.{HEADLESS}."}
    assert resolve(cluster, "11.2.244.10.in-addr.arpa", "PTR").rcode == "NXDOMAIN"
    set_pod_status(cluster, "default", "web-1", ip="10.244.2.11", ready=True)
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.10", "10.244.2.11"}


def test_last_ready_pod_gone_makes_the_headless_name_nxdomain(cluster: Cluster) -> None:
    seed_scenario(cluster)
    for name, ip in (("web-0", "10.244.1.10"), ("web-1", "10.244.2.11")):
        set_pod_status(cluster, "default", name, ip=ip, ready=False)
    answer = resolve(cluster, HEADLESS, "A")
    assert answer.rcode == "NXDOMAIN"
    assert resolve(cluster, f"_web._tcp.{HEADLESS}", "SRV").rcode == "NXDOMAIN"


def test_publish_not_ready_addresses_keeps_unready_pods(cluster: Cluster) -> None:
    published_web_0(cluster, ready=False, hostname="web-0", subdomain="nginx")
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.10"}
    assert ips(resolve(cluster, f"web-0.{HEADLESS}", "A")) == {"10.244.1.10"}


def test_terminating_pod_leaves_dns_while_still_ready(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.store.delete("Pod", "default", "web-1")
    cluster.drain()
    web1 = cluster.store.must_get("Pod", "default", "web-1")
    assert web1["metadata"]["deletionTimestamp"]
    assert is_pod_ready(web1)  # kubectl still shows 1/1 Terminating
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.10"}
    assert resolve(cluster, f"web-1.{HEADLESS}", "A").rcode == "NXDOMAIN"


def test_terminating_pod_stays_with_publish_not_ready(cluster: Cluster) -> None:
    published_web_0(cluster)
    cluster.store.delete("Pod", "default", "web-0")
    cluster.drain()
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.10"}


def test_recreated_pod_same_name_new_ip(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.delete("Pod", "default", "web-0", force=True)
    assert resolve(cluster, f"web-0.{HEADLESS}", "A").rcode == "NXDOMAIN"
    manifest = pod("web-0", {"app": "nginx"}, hostname="web-0", subdomain="nginx")
    add_pod(cluster, manifest, "10.244.1.11")
    assert ips(resolve(cluster, f"web-0.{HEADLESS}", "A")) == {"10.244.1.11"}
    assert ips(resolve(cluster, HEADLESS, "A")) == {"10.244.1.11", "10.244.2.11"}
    (ptr,) = resolve(cluster, "11.1.244.10.in-addr.arpa", "PTR").answer
    assert ptr.rdata == f"web-0.{HEADLESS}."
    assert resolve(cluster, "10.1.244.10.in-addr.arpa", "PTR").rcode == "NXDOMAIN"


def test_cluster_ip_answers_do_not_depend_on_readiness(cluster: Cluster) -> None:
    svc = cluster.store.create(service("web", selector={"app": "web"}))
    vip = {svc["spec"]["clusterIP"]}
    assert ips(resolve(cluster, "web.default.svc.cluster.local", "A")) == vip
    add_pod(cluster, pod("w", {"app": "web"}), "10.244.1.50", ready=False)
    assert ips(resolve(cluster, "web.default.svc.cluster.local", "A")) == vip
    srv = resolve(cluster, "_web._tcp.web.default.svc.cluster.local", "SRV")
    assert [r.rdata.split()[3] for r in srv.answer] == ["web.default.svc.cluster.local."]


def test_subdomain_must_name_the_service_for_per_pod_names(cluster: Cluster) -> None:
    cluster.store.create(service("nginx", headless=True, selector={"app": "nginx"}))
    manifest = pod("web-0", {"app": "nginx"}, hostname="web-0", subdomain="nginx-svc")
    add_pod(cluster, manifest, "10.244.1.10")
    assert resolve(cluster, f"web-0.{HEADLESS}", "A").rcode == "NXDOMAIN"
    assert ips(resolve(cluster, f"10-244-1-10.{HEADLESS}", "A")) == {"10.244.1.10"}


def test_service_deleted_and_namespace_gone(cluster: Cluster) -> None:
    seed_scenario(cluster)
    cluster.delete("Service", "default", "nginx")
    assert resolve(cluster, HEADLESS, "A").rcode == "NXDOMAIN"
    assert resolve(cluster, f"web-0.{HEADLESS}", "A").rcode == "NXDOMAIN"
    assert resolve(cluster, "10.1.244.10.in-addr.arpa", "PTR").rcode == "NXDOMAIN"


def test_service_without_selector_answers_from_user_managed_slices(cluster: Cluster) -> None:
    cluster.store.create(service("ext", headless=True))
    cluster.store.create(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "ext-manual",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "ext"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["192.168.1.5"], "conditions": {"ready": True}}],
            "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
        }
    )
    cluster.drain()
    assert ips(resolve(cluster, "ext.default.svc.cluster.local", "A")) == {"192.168.1.5"}
    assert cluster.store.get("Endpoints", "default", "ext") is None
