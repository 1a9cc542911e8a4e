"""The invariants themselves: a healthy cluster passes, a broken one is caught.

The cluster is broken behind the controllers' backs (a store write with no drain), so the
objects disagree with each other the way a controller bug would leave them.
"""

from __future__ import annotations

from engine.cluster import Cluster
from engine.objects import copy_obj
from tests.reliability.invariants import StateChecker, check_state
from tests.reliability.workloads import busy_cluster


def settled() -> Cluster:
    cluster = busy_cluster()
    cluster.advance(120)
    assert check_state(cluster) == []
    return cluster


def test_a_shared_ip_is_caught_even_after_a_passing_check() -> None:
    cluster = settled()
    check = StateChecker(cluster)
    assert check() == []
    web0 = cluster.store.must_get("Pod", "default", "web-0")
    pod = copy_obj(cluster.store.must_get("Pod", "default", "web-1"))
    pod["status"]["podIP"] = web0["status"]["podIP"]
    cluster.store.update(pod)
    assert f"web-1 and web-0 share IP {web0['status']['podIP']}" in check()


def test_a_pod_turning_unready_unseen_by_the_controllers_breaks_endpoints_and_dns() -> None:
    cluster = settled()
    pod = copy_obj(cluster.store.must_get("Pod", "default", "web-0"))
    for cond in pod["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["status"] = "False"
    cluster.store.update(pod)
    found = check_state(cluster)
    assert any(v.startswith("endpoints web:") for v in found), found
    assert any(v.startswith("dns web.default.svc.cluster.local:") for v in found), found
    assert any(v.startswith("dns web-0.web.default.svc.cluster.local:") for v in found), found
    cluster.drain()  # the controllers catch up: the state is consistent again
    assert check_state(cluster) == []


def test_a_failing_state_is_reported_at_every_check_until_it_changes() -> None:
    cluster = settled()
    check = StateChecker(cluster)
    ep = copy_obj(cluster.store.must_get("Endpoints", "default", "hello"))
    ep["subsets"] = []
    cluster.store.update(ep)
    first = check()
    assert first
    assert first[0].startswith("endpoints hello:")
    assert check() == first
