"""The cluster.local record table (k8s-semantics.md §5.2), SRV (§5.4), PTR (§5.5)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.dns.records import Answer
from engine.dns.resolver import resolve
from tests.engine.dns_scenario import add_pod, pod, seed_scenario, service

SOA_PREFIX = "ns.dns.cluster.local. hostmaster.cluster.local. "


def ips(answer: Answer) -> set[str]:
    return {r.rdata for r in answer.records("A")}


@pytest.fixture
def seeded(cluster: Cluster) -> Cluster:
    seed_scenario(cluster)
    return cluster


def assert_nxdomain(answer: Answer) -> None:
    assert answer.rcode == "NXDOMAIN"
    assert answer.aa
    assert not answer.answer
    (soa,) = answer.authority
    assert soa.rdtype == "SOA"
    assert soa.name == "cluster.local."


def assert_nodata(answer: Answer) -> None:
    assert answer.rcode == "NOERROR"
    assert answer.aa
    assert not answer.answer
    assert [r.rdtype for r in answer.authority] == ["SOA"]


def test_cluster_ip_service_a_is_the_vip_independent_of_endpoints(cluster: Cluster) -> None:
    svc = cluster.store.create(service("web", selector={"app": "web"}))
    answer = resolve(cluster, "web.default.svc.cluster.local", "A")
    assert ips(answer) == {svc["spec"]["clusterIP"]}
    (rec,) = answer.answer
    assert rec.ttl == 30
    assert rec.name == "web.default.svc.cluster.local."
    assert answer.aa
    assert not answer.ra


def test_headless_service_a_lists_ready_endpoints(seeded: Cluster) -> None:
    answer = resolve(seeded, "nginx.default.svc.cluster.local", "A")
    assert ips(answer) == {"10.244.1.10", "10.244.2.11"}
    assert len(answer.answer) == 2


def test_headless_with_no_ready_endpoints_is_nxdomain(cluster: Cluster) -> None:
    cluster.store.create(service("nginx", headless=True, selector={"app": "nginx"}))
    add_pod(cluster, pod("web-0", {"app": "nginx"}), "10.244.1.10", ready=False)
    assert_nxdomain(resolve(cluster, "nginx.default.svc.cluster.local", "A"))


def test_endpoint_names_hostname_or_dashed_ip(seeded: Cluster) -> None:
    assert ips(resolve(seeded, "web-0.nginx.default.svc.cluster.local", "A")) == {"10.244.1.10"}
    assert ips(resolve(seeded, "web-1.nginx.default.svc.cluster.local", "A")) == {"10.244.2.11"}
    assert_nxdomain(resolve(seeded, "web-2.nginx.default.svc.cluster.local", "A"))
    assert_nxdomain(resolve(seeded, "10-244-1-10.nginx.default.svc.cluster.local", "A"))


def test_deployment_pods_only_have_dashed_ip_names(cluster: Cluster) -> None:
    cluster.store.create(service("api", selector={"app": "api"}))
    add_pod(cluster, pod("api-7d9c-x2x4k", {"app": "api"}), "10.244.3.7")
    answer = resolve(cluster, "10-244-3-7.api.default.svc.cluster.local", "A")
    assert ips(answer) == {"10.244.3.7"}  # CoreDNS answers this for a ClusterIP service too
    assert_nxdomain(resolve(cluster, "api-7d9c-x2x4k.api.default.svc.cluster.local", "A"))


def test_pod_a_records_are_insecure(seeded: Cluster) -> None:
    answer = resolve(seeded, "10-244-9-9.default.pod.cluster.local", "A")
    assert ips(answer) == {"10.244.9.9"}  # no such pod: pods insecure answers anyway
    assert_nxdomain(resolve(seeded, "10-244-9-9.nosuchns.pod.cluster.local", "A"))
    assert_nxdomain(resolve(seeded, "web-0.default.pod.cluster.local", "A"))


@pytest.mark.parametrize(
    "name",
    ["nosuch.default.svc.cluster.local", "nginx.nosuchns.svc.cluster.local"],
)
def test_missing_service_or_namespace_is_nxdomain(seeded: Cluster, name: str) -> None:
    assert_nxdomain(resolve(seeded, name, "A"))


@pytest.mark.parametrize(
    "name",
    [
        "default.svc.cluster.local",
        "svc.cluster.local",
        "pod.cluster.local",
        "default.pod.cluster.local",
        "cluster.local",
    ],
)
def test_partial_names_are_nodata(seeded: Cluster, name: str) -> None:
    assert_nodata(resolve(seeded, name, "A"))


def test_namespace_name_of_missing_namespace_is_nxdomain(seeded: Cluster) -> None:
    assert_nxdomain(resolve(seeded, "nosuchns.svc.cluster.local", "A"))


@pytest.mark.parametrize(
    "name",
    ["foo.cluster.local", "a.b.c.nginx.default.svc.cluster.local", "x.default.foo.cluster.local"],
)
def test_invalid_grammar_is_nxdomain(seeded: Cluster, name: str) -> None:
    assert_nxdomain(resolve(seeded, name, "A"))


def test_aaaa_nodata_for_existing_nxdomain_for_missing(seeded: Cluster) -> None:
    assert_nodata(resolve(seeded, "nginx.default.svc.cluster.local", "AAAA"))
    assert_nodata(resolve(seeded, "kubernetes.default.svc.cluster.local", "AAAA"))
    assert_nxdomain(resolve(seeded, "nosuch.default.svc.cluster.local", "AAAA"))


def test_other_types_use_a_fake_a_lookup(seeded: Cluster) -> None:
    assert_nodata(resolve(seeded, "nginx.default.svc.cluster.local", "MX"))
    assert_nodata(resolve(seeded, "nginx.default.svc.cluster.local", "ANY"))
    assert_nxdomain(resolve(seeded, "nosuch.default.svc.cluster.local", "ANY"))


def test_dns_version_txt(seeded: Cluster) -> None:
    answer = resolve(seeded, "dns-version.cluster.local", "TXT")
    (rec,) = answer.answer
    assert (rec.rdtype, rec.rdata, rec.ttl) == ("TXT", '"1.1.0"', 28800)


def test_soa_and_ns(seeded: Cluster) -> None:
    (soa,) = resolve(seeded, "cluster.local", "SOA").answer
    assert soa.rdata.startswith(SOA_PREFIX)
    assert soa.rdata.endswith(" 7200 1800 86400 30")
    serial = int(soa.rdata.split()[2])
    assert serial == int(seeded.clock.wall().timestamp())
    (ns,) = resolve(seeded, "cluster.local", "NS").answer
    assert ns.rdata == "kube-dns.kube-system.svc.cluster.local."


def test_soa_serial_follows_changes(seeded: Cluster) -> None:
    before = resolve(seeded, "nosuch.default.svc.cluster.local", "A").authority[0].rdata
    seeded.advance(120)
    seeded.store.create(service("later", selector={"app": "later"}))
    after = resolve(seeded, "nosuch.default.svc.cluster.local", "A").authority[0].rdata
    assert int(after.split()[2]) == int(before.split()[2]) + 120


def test_matching_is_case_insensitive_and_keeps_the_asked_case(seeded: Cluster) -> None:
    answer = resolve(seeded, "WEB-0.Nginx.DEFAULT.svc.Cluster.Local", "A")
    assert ips(answer) == {"10.244.1.10"}
    assert answer.answer[0].name == "WEB-0.Nginx.DEFAULT.svc.Cluster.Local."
    neg = resolve(seeded, "nosuch.default.svc.Cluster.Local", "A")
    assert neg.authority[0].name == "Cluster.Local."


def test_srv_headless_weights_and_additional(seeded: Cluster) -> None:
    answer = resolve(seeded, "_web._tcp.nginx.default.svc.cluster.local", "SRV")
    assert [r.rdata for r in answer.answer] == [
        "0 50 80 web-0.nginx.default.svc.cluster.local.",
        "0 50 80 web-1.nginx.default.svc.cluster.local.",
    ]
    assert {(r.name, r.rdata) for r in answer.additional} == {
        ("web-0.nginx.default.svc.cluster.local.", "10.244.1.10"),
        ("web-1.nginx.default.svc.cluster.local.", "10.244.2.11"),
    }


@pytest.mark.parametrize(("count", "weight"), [(1, 100), (2, 50), (3, 33), (4, 25)])
def test_srv_weight_is_floor_100_over_n(cluster: Cluster, count: int, weight: int) -> None:
    cluster.store.create(service("db", headless=True, selector={"app": "db"}))
    for i in range(count):
        add_pod(cluster, pod(f"db-{i}", {"app": "db"}), f"10.244.1.{20 + i}")
    answer = resolve(cluster, "_web._tcp.db.default.svc.cluster.local", "SRV")
    assert {r.rdata.split()[1] for r in answer.answer} == {str(weight)}
    assert len(answer.answer) == count
    targets = {r.rdata.split()[3] for r in answer.answer}
    assert "10-244-1-20.db.default.svc.cluster.local." in targets


def test_srv_cluster_ip_service(cluster: Cluster) -> None:
    answer = resolve(cluster, "_https._tcp.kubernetes.default.svc.cluster.local", "SRV")
    assert [r.rdata for r in answer.answer] == ["0 100 443 kubernetes.default.svc.cluster.local."]
    assert [(r.name, r.rdata) for r in answer.additional] == [
        ("kubernetes.default.svc.cluster.local.", "10.96.0.1")
    ]


def test_srv_port_and_protocol_must_match(seeded: Cluster) -> None:
    assert_nxdomain(resolve(seeded, "_http._tcp.nginx.default.svc.cluster.local", "SRV"))
    assert_nxdomain(resolve(seeded, "_web._udp.nginx.default.svc.cluster.local", "SRV"))
    assert resolve(seeded, "_WEB._TCP.nginx.default.svc.cluster.local", "SRV").answer


def test_srv_without_port_names_lists_all_ports(seeded: Cluster) -> None:
    answer = resolve(seeded, "nginx.default.svc.cluster.local", "SRV")
    assert len(answer.answer) == 2


def test_ptr_for_service_vip(cluster: Cluster) -> None:
    (rec,) = resolve(cluster, "1.0.96.10.in-addr.arpa", "PTR").answer
    assert rec.rdata == "kubernetes.default.svc.cluster.local."
    assert rec.name == "1.0.96.10.in-addr.arpa."


def test_ptr_for_ready_endpoints(seeded: Cluster) -> None:
    (rec,) = resolve(seeded, "10.1.244.10.in-addr.arpa", "PTR").answer
    assert rec.rdata == "web-0.nginx.default.svc.cluster.local."


def test_ptr_one_per_selecting_service(cluster: Cluster) -> None:
    cluster.store.create(service("api", selector={"app": "api"}))
    cluster.store.create(service("api-internal", selector={"app": "api"}))
    add_pod(cluster, pod("api-x", {"app": "api"}), "10.244.3.7")
    answer = resolve(cluster, "7.3.244.10.in-addr.arpa", "PTR")
    assert {r.rdata for r in answer.answer} == {
        "10-244-3-7.api.default.svc.cluster.local.",
        "10-244-3-7.api-internal.default.svc.cluster.local.",
    }


def test_ptr_without_match_goes_upstream(seeded: Cluster) -> None:
    answer = resolve(seeded, "9.9.244.10.in-addr.arpa", "PTR")
    assert answer.rcode == "NXDOMAIN"
    assert not answer.aa
    assert answer.ra


def test_names_outside_the_cluster_get_the_closed_network_answer(seeded: Cluster) -> None:
    answer = resolve(seeded, "example.com", "A")
    assert (answer.rcode, answer.aa, answer.ra, answer.authority) == ("NXDOMAIN", False, True, [])


def test_external_name_service_is_a_cname(cluster: Cluster) -> None:
    cluster.store.create(
        service("ext", type="ExternalName", externalName="db.example.com", ports=[])
    )
    answer = resolve(cluster, "ext.default.svc.cluster.local", "A")
    assert [(r.rdtype, r.rdata) for r in answer.answer] == [("CNAME", "db.example.com.")]


def test_a_records_are_shuffled_per_query_deterministically() -> None:
    orders = []
    for _ in range(2):
        c = Cluster(seed=3)
        c.store.create(service("db", headless=True, selector={"app": "db"}))
        for i in range(5):
            add_pod(c, pod(f"db-{i}", {"app": "db"}), f"10.244.1.{20 + i}")
        orders.append(
            [
                tuple(r.rdata for r in resolve(c, "db.default.svc.cluster.local", "A").answer)
                for _ in range(6)
            ]
        )
    assert orders[0] == orders[1]
    assert len(set(orders[0])) > 1


def test_lookups_use_the_indexes_not_store_scans(
    seeded: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve(seeded, "nginx.default.svc.cluster.local", "A")

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("DNS lookups must not list the store")

    monkeypatch.setattr(seeded.store, "list", no_scan)
    for name, qtype in (
        ("nginx.default.svc.cluster.local", "A"),
        ("web-1.nginx.default.svc.cluster.local", "A"),
        ("10.1.244.10.in-addr.arpa", "PTR"),
        ("_web._tcp.nginx.default.svc.cluster.local", "SRV"),
    ):
        assert resolve(seeded, name, qtype).answer
