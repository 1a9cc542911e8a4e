"""The endpoint controllers past one slice: packing (EPS reconciler), Endpoints truncation
(EP-CTRL ``truncateEndpoints``), and work proportional to the pods a change touches."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine.cluster import Cluster
from engine.controllers import endpoints as ep_module
from engine.controllers import endpointslice as eps_module
from engine.controllers.endpoint_index import ServicePodTracker, TriggerTimes
from engine.objects import Obj, copy_obj
from engine.store import WatchEvent
from tests.engine.dns_scenario import pod, service
from tests.engine.fake_kubelet import isolated_cluster

TRUNCATED = "endpoints.kubernetes.io/over-capacity"


def ip_of(i: int) -> str:
    """Distinct IPs whose string order differs from their numeric order."""
    return f"10.244.{i // 200 + 1}.{i % 200 + 2}"


def add_pods(cluster: Cluster, indexes: range, *, ready: bool = True) -> None:
    """Running pods ``p<i>`` (app=x) with IP ``ip_of(i)``, all written before one drain."""
    for i in indexes:
        cluster.store.create(pod(f"p{i}", {"app": "x"}) | {"spec": _spec()})
        run(cluster, f"p{i}", ip_of(i), ready=ready)
    cluster.drain()


def run(cluster: Cluster, name: str, ip: str, *, ready: bool) -> None:
    """Give a pod a Running status (no drain: the kubelet of an isolated cluster is off)."""
    current = copy_obj(cluster.store.must_get("Pod", "default", name))
    flag = "True" if ready else "False"
    now = cluster.clock.timestamp()
    current["status"] = {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [{"type": "Ready", "status": flag, "lastTransitionTime": now}],
    }
    cluster.store.update(current)


def _spec() -> dict[str, Any]:
    container = {"name": "c", "image": "nginx", "ports": [{"name": "web", "containerPort": 80}]}
    return {"nodeName": "worker-1", "containers": [container]}


@pytest.fixture
def big() -> Cluster:
    """An isolated cluster with Service ``app`` (selector app=x) over 250 ready pods."""
    cluster = isolated_cluster()
    cluster.store.create(service("app", selector={"app": "x"}))
    add_pods(cluster, range(250))
    return cluster


def slices(cluster: Cluster, name: str = "app") -> list[Obj]:
    return [
        s
        for s in cluster.store.list("EndpointSlice", "default")
        if s["metadata"]["labels"].get("kubernetes.io/service-name") == name
    ]


def slice_of(cluster: Cluster, pod_name: str) -> str:
    (found,) = [
        s["metadata"]["name"]
        for s in slices(cluster)
        for e in s.get("endpoints") or []
        if e["targetRef"]["name"] == pod_name
    ]
    return found


def writes(cluster: Cluster, kind: str) -> list[WatchEvent]:
    """A live list of the store's events of ``kind``."""
    seen: list[WatchEvent] = []
    cluster.store.subscribe(seen.append, [kind])
    return seen


def check_slices(cluster: Cluster, name: str = "app") -> None:
    """Every pod with an IP once, no slice over 100, each slice sorted by IP string."""
    pods = {
        p["metadata"]["name"]: p["status"]["podIP"]
        for p in cluster.store.list("Pod", "default")
        if (p.get("status") or {}).get("podIP") and p["metadata"]["labels"].get("app") == "x"
    }
    seen: dict[str, str] = {}
    for s in slices(cluster, name):
        eps = s.get("endpoints") or []
        assert len(eps) <= 100
        ips = [e["addresses"][0] for e in eps]
        assert ips == sorted(ips)
        for e in eps:
            assert e["targetRef"]["name"] not in seen
            seen[e["targetRef"]["name"]] = e["addresses"][0]
    assert seen == pods


def test_250_endpoints_fill_three_slices(big: Cluster) -> None:
    assert sorted(len(s["endpoints"]) for s in slices(big)) == [50, 100, 100]
    check_slices(big)


def test_a_pod_change_rewrites_only_its_slice(big: Cluster) -> None:
    seen = writes(big, "EndpointSlice")
    home = slice_of(big, "p17")
    run(big, "p17", ip_of(17), ready=False)
    big.drain()
    assert [(e.type, e.obj["metadata"]["name"]) for e in seen] == [("MODIFIED", home)]
    (ep,) = [e for e in seen[0].obj["endpoints"] if e["targetRef"]["name"] == "p17"]
    assert ep["conditions"] == {"ready": False, "serving": False, "terminating": False}


def _addresses(endpoints: Obj) -> dict[str, dict[str, Any]]:
    return {
        a["targetRef"]["name"]: a
        for subset in endpoints.get("subsets") or []
        for field in ("addresses", "notReadyAddresses")
        for a in subset.get(field) or []
    }


def _copied(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Names whose dict in ``after`` is not the very one ``before`` holds."""
    return {name for name, value in after.items() if value is not before.get(name)}


def test_a_pod_change_copies_only_its_address_and_endpoint(big: Cluster) -> None:
    """The controllers hand the store the dicts it holds for unchanged pods, so the new
    versions share them and only the changed pod's address and endpoint are new."""
    home = slice_of(big, "p17")
    ep_before = _addresses(big.store.must_get("Endpoints", "default", "app"))
    slice_before = big.store.must_get("EndpointSlice", "default", home)
    run(big, "p17", ip_of(17), ready=False)
    big.drain()
    ep_after = _addresses(big.store.must_get("Endpoints", "default", "app"))
    assert _copied(ep_before, ep_after) == {"p17"}
    slice_after = big.store.must_get("EndpointSlice", "default", home)
    by_pod = {e["targetRef"]["name"]: e for e in slice_after["endpoints"]}
    assert _copied({e["targetRef"]["name"]: e for e in slice_before["endpoints"]}, by_pod) == {
        "p17"
    }
    assert slice_after["ports"] is slice_before["ports"]


def test_after_a_bulk_change_the_addresses_are_still_shared(big: Cluster) -> None:
    """A sync of many pods re-sorts its lists at once: the unchanged pods keep the stored
    dicts, and the object equals what a full reconcile writes."""
    before = _addresses(big.store.must_get("Endpoints", "default", "app"))
    add_pods(big, range(250, 400))
    after = _addresses(big.store.must_get("Endpoints", "default", "app"))
    assert _copied(before, after) == {f"p{i}" for i in range(250, 400)}
    seen = writes(big, "Endpoints")
    controller = big.controller("endpoint-controller")
    assert isinstance(controller, ServicePodTracker)
    controller.resync("default/app")
    big.drain()
    assert seen == []
    run(big, "p3", ip_of(3), ready=False)
    big.drain()
    again = _addresses(big.store.must_get("Endpoints", "default", "app"))
    assert _copied(after, again) == {"p3"}


def test_new_endpoint_goes_to_the_slice_it_fits_best(big: Cluster) -> None:
    """getSliceToFill: of the unchanged slices, the one closest to full once it is added."""
    home = slice_of(big, "p3")
    big.store.remove("Pod", "default", "p3")
    big.drain()
    sizes = {s["metadata"]["name"]: len(s["endpoints"]) for s in slices(big)}
    assert sizes[home] == 99
    add_pods(big, range(900, 901))
    assert slice_of(big, "p900") == home
    check_slices(big)


def test_slices_emptied_are_deleted_and_a_placeholder_keeps_a_name(big: Cluster) -> None:
    names = {s["metadata"]["name"] for s in slices(big)}
    for i in range(250):
        big.store.remove("Pod", "default", f"p{i}")
    big.drain()
    (placeholder,) = slices(big)
    assert placeholder["endpoints"] is None
    assert placeholder["ports"] is None
    assert placeholder["metadata"]["name"] in names


def test_a_pod_event_does_not_list_the_services_pods(
    big: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for module in (ep_module, eps_module):
        real = module.selected_pods

        def counting(store: Any, svc: Obj, real: Any = real) -> list[Obj]:
            calls.append(svc["metadata"]["name"])
            result: list[Obj] = real(store, svc)
            return result

        monkeypatch.setattr(module, "selected_pods", counting)
    run(big, "p5", ip_of(5), ready=False)
    big.store.remove("Pod", "default", "p6")
    add_pods(big, range(300, 302))
    assert calls == []
    check_slices(big)


def test_a_deleted_slice_is_rebuilt(big: Cluster) -> None:
    victim = slice_of(big, "p42")
    big.store.delete("EndpointSlice", "default", victim)
    big.drain()
    check_slices(big)
    assert victim not in {s["metadata"]["name"] for s in slices(big)}


def endpoints_ips(cluster: Cluster, field: str = "addresses") -> list[str]:
    ep = cluster.store.must_get("Endpoints", "default", "app")
    return [a["ip"] for sub in ep.get("subsets") or [] for a in sub.get(field) or []]


def annotations(cluster: Cluster) -> dict[str, str]:
    ep = cluster.store.must_get("Endpoints", "default", "app")
    result: dict[str, str] = ep["metadata"].get("annotations") or {}
    return result


def test_endpoints_keep_the_first_1000_ready_addresses(big: Cluster) -> None:
    add_pods(big, range(250, 1003))
    add_pods(big, range(1003, 1005), ready=False)
    ready_ips = sorted(ip_of(i) for i in range(1003))
    assert endpoints_ips(big) == ready_ips[:1000]
    assert endpoints_ips(big, "notReadyAddresses") == []
    assert annotations(big)[TRUNCATED] == "truncated"
    for i in range(1000, 1005):
        big.store.remove("Pod", "default", f"p{i}")
    big.drain()
    assert endpoints_ips(big) == sorted(ip_of(i) for i in range(1000))
    assert TRUNCATED not in annotations(big)


def test_not_ready_addresses_are_truncated_first(big: Cluster) -> None:
    add_pods(big, range(250, 998))
    add_pods(big, range(998, 1003), ready=False)
    assert len(endpoints_ips(big)) == 998
    not_ready = sorted(ip_of(i) for i in range(998, 1003))
    assert endpoints_ips(big, "notReadyAddresses") == not_ready[:2]
    assert annotations(big)[TRUNCATED] == "truncated"


def test_a_change_past_the_truncation_writes_nothing(big: Cluster) -> None:
    add_pods(big, range(250, 1100))
    order = sorted(range(1100), key=ip_of)
    seen = writes(big, "Endpoints")
    last = order[-1]
    run(big, f"p{last}", ip_of(last), ready=False)
    big.drain()
    assert seen == []
    first = order[0]
    run(big, f"p{first}", ip_of(first), ready=False)
    big.drain()
    assert [e.type for e in seen] == ["MODIFIED"]
    assert endpoints_ips(big)[0] == ip_of(order[1])


def _random_step(cluster: Cluster, rng: random.Random, step: int) -> None:
    live = sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default"))
    name = rng.choice(live) if live else ""
    action = rng.choice(["ready", "unready", "remove", "add", "relabel", "terminate", "ip"])
    if action == "add" or not name:
        add_pods(cluster, range(1000 + step, 1000 + step + rng.randrange(1, 30)))
        return
    current = copy_obj(cluster.store.must_get("Pod", "default", name))
    if action in ("ready", "unready", "ip"):
        ip = ip_of(5000 + step) if action == "ip" else current["status"]["podIP"]
        run(cluster, name, ip, ready=action != "unready")
    elif action == "remove":
        cluster.store.remove("Pod", "default", name)
    elif action == "terminate":
        cluster.store.delete("Pod", "default", name)
    else:
        current["metadata"]["labels"]["app"] = (
            "y" if current["metadata"]["labels"]["app"] == "x" else "x"
        )
        cluster.store.update(current)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_syncs_match_a_full_reconcile(seed: int) -> None:
    """After random pod changes the slices hold every pod once, and a full reconcile of the
    Service (what the real controllers do on every sync) finds nothing to write."""
    cluster = isolated_cluster(seed)
    cluster.store.create(service("app", selector={"app": "x"}))
    add_pods(cluster, range(230))
    rng = random.Random(seed)
    for step in range(40):
        _random_step(cluster, rng, step * 40)
        cluster.drain()
        check_slices(cluster)
    seen = writes(cluster, "EndpointSlice")
    endpoints_seen = writes(cluster, "Endpoints")
    for name in ("endpoint-controller", "endpointslice-controller"):
        controller = cluster.controller(name)
        assert isinstance(controller, ServicePodTracker)
        controller.resync("default/app")
    cluster.drain()
    assert seen == []
    assert endpoints_seen == []


def test_truncation_shares_the_capacity_between_subsets_rounding_up() -> None:
    """EP-CTRL ``truncateEndpoints``: each subset keeps ceil(its share × 1000), the last one
    what is left; not-ready addresses go first when the ready ones alone overflow."""
    a, b = (("port", 80),), (("port", 81),)
    ready = {(a, "addresses"): 601, (b, "addresses"): 899, (b, "notReadyAddresses"): 7}
    limits = ep_module._truncate([a, b], ready)
    assert limits == {
        (a, "addresses"): 401,
        (a, "notReadyAddresses"): 0,
        (b, "addresses"): 599,
        (b, "notReadyAddresses"): 0,
    }
    mixed = {(a, "addresses"): 500, (a, "notReadyAddresses"): 300, (b, "notReadyAddresses"): 300}
    assert ep_module._truncate([a, b], mixed) == {
        (a, "notReadyAddresses"): 250,
        (b, "notReadyAddresses"): 250,
    }
    assert ep_module._truncate([a], {(a, "addresses"): 1000}) == {}


def test_trigger_time_falls_back_when_the_newest_pod_leaves() -> None:
    times = TriggerTimes()
    svc = {"metadata": {"creationTimestamp": "2026-07-06T10:00:00Z"}}
    times.set("a", "2026-07-06T10:00:05Z")
    times.set("b", "2026-07-06T10:00:09Z")
    times.set("c", "2026-07-06T10:00:09Z")
    assert times.latest(svc) == "2026-07-06T10:00:09Z"
    times.set("b", None)
    assert times.latest(svc) == "2026-07-06T10:00:09Z"
    times.set("c", "2026-07-06T10:00:07Z")
    assert times.latest(svc) == "2026-07-06T10:00:07Z"
    times.set("c", None)
    times.set("a", None)
    assert times.latest(svc) == "2026-07-06T10:00:00Z"


def test_trigger_times_match_the_newest_of_the_pods_times() -> None:
    """Random sets and removals (times shared by pods, the newest leaving): ``latest`` is
    always the newest of the Service's creation and its pods' current times."""
    rng = random.Random(5)
    times, naive = TriggerTimes(), dict[str, str]()
    svc = {"metadata": {"creationTimestamp": "2026-07-06T10:00:03Z"}}
    for _ in range(2000):
        pod = f"p{rng.randrange(30)}"
        when = None if rng.random() < 0.3 else f"2026-07-06T10:00:{rng.randrange(10):02d}Z"
        times.set(pod, when)
        naive.pop(pod, None)
        if when is not None:
            naive[pod] = when
        assert times.latest(svc) == max([svc["metadata"]["creationTimestamp"], *naive.values()])
