"""The resolver's prepared path (A records of headless Services and endpoint names from the
zone's per-slice records) answers exactly what the general path answers, in the same order, so
the seeded shuffle — and every dig/nslookup transcript — stays the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.cluster import Cluster
from engine.dns.records import Answer
from engine.dns.resolver import Resolver
from engine.objects import owner_reference
from tests.engine.dns_scenario import add_pod, pod, seed_scenario, service
from tests.helpers import set_pod_status

QUERIES = [
    "nginx.default.svc.cluster.local",
    "NGINX.Default.svc.cluster.local.",
    "web-0.nginx.default.svc.cluster.local",
    "WEB-1.nginx.default.svc.cluster.local",
    "big.default.svc.cluster.local",
    "b-17.big.default.svc.cluster.local",
    "10-244-3-40.bare.default.svc.cluster.local",
    "bare.default.svc.cluster.local",
    "a-0.web.default.svc.cluster.local",
    "empty.default.svc.cluster.local",
    "nope.default.svc.cluster.local",
    "nginx.nowhere.svc.cluster.local",
    "ghost.nginx.default.svc.cluster.local",
    "v6.default.svc.cluster.local",
    "odd.default.svc.cluster.local",
    "x.odd.default.svc.cluster.local",
    "ext.default.svc.cluster.local",
]


def build(cluster: Cluster) -> None:
    """Headless services of 2, 130 (two slices) and hostname-less endpoints, a ClusterIP
    service, one without ready endpoints, an ExternalName, and hand-written slices with IPv6
    and non-IP addresses."""
    seed_scenario(cluster)
    store = cluster.store
    store.create(service("big", headless=True, selector={"app": "big"}))
    for i in range(130):
        manifest = pod(f"b-{i}", {"app": "big"}, hostname=f"b-{i}", subdomain="big")
        store.create(manifest | {"spec": manifest["spec"] | {"nodeName": "worker-1"}})
    cluster.drain()
    for i in range(130):
        set_pod_status(cluster, "default", f"b-{i}", ip=f"10.244.{2 + i // 100}.{i % 100 + 10}")
    store.create(service("bare", headless=True, selector={"app": "bare"}))
    add_pod(cluster, pod("bare-0", {"app": "bare"}), "10.244.3.40")
    store.create(service("web", selector={"app": "web"}))
    add_pod(cluster, pod("a-0", {"app": "web"}, hostname="a-0", subdomain="web"), "10.244.3.50")
    store.create(service("empty", headless=True, selector={"app": "none"}))
    store.create(service("ext", type="ExternalName", externalName="example.com"))
    for name, address in (("v6", "fd00::1"), ("odd", "not-an-ip")):
        svc = store.create(service(name, headless=True))
        store.create(_slice(svc, address))
    cluster.drain()


def _slice(svc: dict[str, Any], address: str) -> dict[str, Any]:
    name = svc["metadata"]["name"]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{name}-manual",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": name},
            "ownerReferences": [owner_reference(svc)],
        },
        "addressType": "IPv6" if ":" in address else "FQDN",
        "endpoints": [{"addresses": [address], "hostname": "x", "conditions": {"ready": True}}],
        "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
    }


def answers(patch: Callable[[pytest.MonkeyPatch], None] | None) -> list[Answer]:
    with pytest.MonkeyPatch.context() as mp:
        if patch is not None:
            patch(mp)
        cluster = Cluster(seed=3, strict=True)
        build(cluster)
        resolver = Resolver(cluster)
        out = []
        for qtype in ("A", "AAAA", "SRV", "MX"):
            for name in QUERIES:
                cluster.advance(1)  # a change between queries: no answer comes from a cache
                out.append(resolver.resolve(name, qtype))
        return out


def general_only(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(Resolver, "_endpoint_addresses", lambda self, qname, zone: None)


def count_prepared(used: list[str]) -> Callable[[pytest.MonkeyPatch], None]:
    real = Resolver._endpoint_addresses

    def patch(mp: pytest.MonkeyPatch) -> None:
        def counting(self: Resolver, qname: str, zone: str) -> Any:
            result = real(self, qname, zone)
            if result is not None:
                used.append(qname)
            return result

        mp.setattr(Resolver, "_endpoint_addresses", counting)

    return patch


def test_prepared_answers_equal_the_general_path() -> None:
    used: list[str] = []
    prepared, general = answers(count_prepared(used)), answers(general_only)
    assert prepared == general
    assert "big.default.svc.cluster.local." in used
    assert "b-17.big.default.svc.cluster.local." in used
    assert "x.odd.default.svc.cluster.local." not in used
    by_name = {(a.qname, a.qtype): a for a in prepared}
    assert len(by_name["big.default.svc.cluster.local.", "A"].answer) == 130
    assert by_name["v6.default.svc.cluster.local.", "A"].nodata
    assert by_name["empty.default.svc.cluster.local.", "A"].nxdomain
    upper = by_name["NGINX.Default.svc.cluster.local.", "A"]
    assert {r.name for r in upper.answer} == {"NGINX.Default.svc.cluster.local."}


def test_prepared_records_follow_a_slice_change(cluster: Cluster) -> None:
    build(cluster)
    resolver = Resolver(cluster)
    before = {r.rdata for r in resolver.resolve("big.default.svc.cluster.local").answer}
    cluster.store.remove("Pod", "default", "b-5")
    cluster.drain()
    after = {r.rdata for r in resolver.resolve("big.default.svc.cluster.local").answer}
    assert before - after == {"10.244.2.15"}
    assert resolver.resolve("b-5.big.default.svc.cluster.local").nxdomain
