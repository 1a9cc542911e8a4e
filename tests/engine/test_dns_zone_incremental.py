"""The DNS zone applies EndpointSlice updates incrementally (``engine.dns.zone_slices``) and
ends up exactly where re-indexing every written slice from scratch ends up — same endpoints,
same order of slices, names and PTR targets — and holds what a zone built from the store
afresh holds.

The reference, :class:`RebuildingZone`, takes every update out and back in whole, as the zone
did before it diffed slices. The writes reuse the stored endpoint dicts the way the
EndpointSlice controller does, so most updates take the incremental path; some reorder,
duplicate, relabel or re-port a slice, which must fall back to a rebuild.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.dns.zone import ClusterZone, zone_for
from engine.dns.zone_slices import SliceView
from engine.objects import Obj, copy_obj
from tests.engine.dns_scenario import pod, service

NS = ("default", "other")
SERVICES = ("a", "b")
#: a small pool, so addresses and hostnames collide across slices and Services
IPS = ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "fd00::1", "not-an-ip")
HOSTS = ("", "", "h-0", "h-1", "H-1")


class RebuildingZone(ClusterZone):
    """A zone that re-indexes every written slice from scratch (the reference)."""

    def _index_slice(self, namespace: str, sname: str, slice_obj: Obj | None) -> None:
        view = self._views.pop((namespace, sname), None)
        if view is not None:
            self._set_slice(view.service, sname, [])
        if slice_obj is not None:
            super()._index_slice(namespace, sname, slice_obj)


class CountingZone(ClusterZone):
    """The incremental zone, counting the updates it diffed."""

    patched = 0

    def _patch_slice(self, *args: Any) -> None:
        self.patched += 1
        super()._patch_slice(*args)


def state(zone: ClusterZone) -> dict[str, Any]:
    """Everything the zone's readers can see, order included where it shows in answers."""
    return {
        "slices": {k: list(v.items()) for k, v in zone._slices.items()},
        "names": zone._names,
        "service_a": {k: list(v.items()) for k, v in zone._service_a.items()},
        "by_ip": {ip: list(v.items()) for ip, v in zone._by_ip.items()},
    }


def content(zone: ClusterZone) -> dict[str, Any]:
    """What the zone holds, whatever the order it met the slices in."""
    return {
        "endpoints": {
            k: sorted(e for eps in v.values() for e in eps) for k, v in zone._slices.items()
        },
        "by_ip": {ip: dict(v) for ip, v in zone._by_ip.items()},
        "names": {
            (k, n): {s: sorted(eps) for s, eps in by.items()}
            for k, names in zone._names.items()
            for n, by in names.items()
        },
    }


def endpoint(rng: random.Random) -> dict[str, Any]:
    ep: dict[str, Any] = {
        "addresses": rng.sample(IPS, rng.choice((1, 1, 1, 2))),
        "conditions": {"ready": rng.random() < 0.8, "serving": True, "terminating": False},
    }
    host = rng.choice(HOSTS)
    if host:
        ep["hostname"] = host
    return ep


def new_slice(rng: random.Random, ns: str, name: str) -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"kubernetes.io/service-name": rng.choice(SERVICES)},
        },
        "addressType": "IPv4",
        "endpoints": [endpoint(rng) for _ in range(rng.randrange(0, 12))],
        "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
    }


def edited(rng: random.Random, current: Obj) -> Obj:
    """A new version of a stored slice that keeps most stored endpoint dicts (the very
    objects), as the EndpointSlice controller writes them."""
    kept = [ep for ep in current.get("endpoints") or [] if rng.random() < 0.8]
    for _ in range(rng.randrange(0, 3)):
        kept.insert(rng.randrange(len(kept) + 1), endpoint(rng))
    roll = rng.random()
    updated = dict(current)
    if roll < 0.05 and kept:
        kept.append(kept[0])  # the same dict twice
    elif roll < 0.1:
        rng.shuffle(kept)
    elif roll < 0.15:
        updated["ports"] = [{"name": "web", "port": rng.choice((80, 81)), "protocol": "TCP"}]
    elif roll < 0.2:
        md = updated["metadata"] = copy_obj(current["metadata"])
        md["labels"]["kubernetes.io/service-name"] = rng.choice(SERVICES)
    updated["endpoints"] = kept
    return updated


def run_writes(cluster: Cluster, rng: random.Random, steps: int) -> None:
    store = cluster.store
    for _ in range(steps):
        ns, name = rng.choice(NS), f"s{rng.randrange(4)}"
        current = store.get("EndpointSlice", ns, name)
        if current is None:
            store.create(new_slice(rng, ns, name))
        elif rng.random() < 0.1:
            store.delete("EndpointSlice", ns, name)
        else:
            store.update(edited(rng, current))


def world() -> tuple[Cluster, CountingZone, RebuildingZone]:
    cluster = Cluster(seed=0, nodes=1)
    cluster.controllers.clear()
    store = cluster.store
    if store.get("Namespace", "", "other") is None:
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    for ns in NS:
        for svc in SERVICES:
            store.create(service(svc, namespace=ns, headless=True))
    return cluster, CountingZone(cluster), RebuildingZone(cluster)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_incremental_zone_equals_rebuilding_zone(seed: int) -> None:
    cluster, incremental, reference = world()
    rng = random.Random(seed)
    for _ in range(8):
        run_writes(cluster, rng, 10)
        assert state(incremental) == state(reference)
    assert content(incremental) == content(ClusterZone(cluster))


def test_most_updates_are_diffed() -> None:
    cluster, incremental, reference = world()
    run_writes(cluster, random.Random(7), 300)
    assert state(incremental) == state(reference)
    assert incremental.patched > 100


def test_a_real_cluster_zone_matches_after_pod_changes() -> None:
    """Pods of a Service past one slice deleted and created while the real controllers (and
    kubelets) run: the cluster's zone matches the rebuilding one, and a fresh one."""
    cluster = Cluster(seed=3, nodes=3)
    reference = RebuildingZone(cluster)
    store = cluster.store
    store.create(service("big", headless=True, selector={"app": "big"}))

    def add(i: int) -> None:
        store.create(pod(f"b-{i}", {"app": "big"}, hostname=f"b-{i}", subdomain="big"))

    for i in range(130):
        add(i)
    cluster.settle()
    zone = zone_for(cluster)
    rng, alive, count = random.Random(11), list(range(130)), 130
    for _ in range(12):
        for _ in range(3):
            cluster.delete("Pod", "default", f"b-{alive.pop(rng.randrange(len(alive)))}")
            add(count)
            alive.append(count)
            count += 1
        cluster.advance(rng.choice((1, 5, 30)))
        assert state(zone) == state(reference)
    cluster.settle()
    assert state(zone) == state(reference)
    assert content(zone) == content(ClusterZone(cluster))
    assert len(list(zone.endpoints("default", "big"))) == 130


def test_an_update_builds_only_the_changed_endpoint(monkeypatch: Any) -> None:
    """One endpoint of a 50-endpoint slice turns unready: one Endpoint is built (for the new
    dict), the other 49 stay the very same objects, and the answers lose that address."""
    cluster, zone, _ = world()  # (the reference zone rebuilds: count the incremental one's)
    rng = random.Random(1)
    body = new_slice(rng, "default", "s0")
    body["metadata"]["labels"]["kubernetes.io/service-name"] = "a"
    body["endpoints"] = [
        {"addresses": [f"10.1.0.{i}"], "conditions": {"ready": True}, "hostname": f"p-{i}"}
        for i in range(50)
    ]
    stored = cluster.store.create(body)
    before = list(zone.endpoints("default", "a"))
    made: list[dict[str, Any]] = []
    make, view = SliceView._make, zone._views[("default", "s0")]

    def counted(self: SliceView, ep: dict[str, Any]) -> list[Any]:
        if self is view:
            made.append(ep)
        return make(self, ep)

    monkeypatch.setattr(SliceView, "_make", counted)
    eps = list(stored["endpoints"])
    eps[7] = eps[7] | {"conditions": {"ready": False}}
    cluster.store.update(stored | {"endpoints": eps})
    after = list(zone.endpoints("default", "a"))
    assert len(made) == 1
    assert [e.ip for e in after] == [e.ip for e in before if e.ip != "10.1.0.7"]
    kept = [e for e in before if e.ip != "10.1.0.7"]
    assert all(a is b for a, b in zip(after, kept, strict=True))
    assert zone.endpoints_named("default", "a", "p-7") == []
    assert zone.names_by_ip("10.1.0.7") == []
