"""The store's write path: index upkeep (orders readers see, fields an index reads), event
order when a handler failed, and admission's shortcut for bindings."""

from __future__ import annotations

from typing import Any

import pytest

from engine.admission import AdmissionInvalid
from engine.clock import VirtualClock
from engine.cluster import Cluster
from engine.objects import Obj, new_object, thaw
from engine.store import Store, WatchEvent


def _pod(name: str, node: str = "n1", **status: Any) -> Obj:
    return new_object(
        "Pod",
        name,
        "default",
        spec={"containers": [{"name": "c", "image": "nginx"}], "nodeName": node},
        status=status,
    )


def _names(objs: Any) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


@pytest.mark.parametrize("reads", [None, ["spec.nodeName"]])
def test_an_update_moves_the_object_last_in_its_buckets(reads: list[str] | None) -> None:
    store = Store(VirtualClock())
    calls: list[str] = []

    def node_of(pod: Obj) -> list[str]:
        calls.append(pod["metadata"]["name"])
        return [pod["spec"]["nodeName"]]

    store.add_index("Pod", "node", node_of, reads=reads)
    for name, node in (("a", "n1"), ("b", "n1"), ("c", "n2"), ("d", "n3")):
        store.create(_pod(name, node))
    a = store.must_get("Pod", "default", "a")
    calls.clear()
    store.update({**a, "status": {"phase": "Running"}})  # same node
    assert _names(store.by_index("Pod", "node", "n1")) == ["b", "a"]
    assert calls == (["a"] if reads else ["a", "a"])  # with reads: the old one is not asked
    c = store.must_get("Pod", "default", "c")
    store.update({**c, "status": {"phase": "Running"}})  # alone in its bucket
    assert list(store.index_buckets("Pod", "node")) == ["n1", "n3", "n2"]
    moved = thaw(store.must_get("Pod", "default", "b"), "spec")
    moved["spec"]["nodeName"] = "n3"
    store.update(moved)
    assert _names(store.by_index("Pod", "node", "n1")) == ["a"]
    assert _names(store.by_index("Pod", "node", "n3")) == ["d", "b"]
    assert store.by_index("Pod", "node", "n3")[1] is store.must_get("Pod", "default", "b")


def test_events_left_by_a_failing_handler_come_before_newer_ones() -> None:
    store = Store(VirtualClock())
    seen: list[tuple[str, str]] = []
    fail = {"on": "b"}

    def handler(ev: WatchEvent) -> None:
        name = ev.obj["metadata"]["name"]
        if name == "a":
            store.create(_pod("b"))  # queued behind a's event
            store.create(_pod("c"))
        if name == fail["on"]:
            fail["on"] = ""
            raise RuntimeError("boom")
        seen.append((ev.type, name))

    store.subscribe(handler, ["Pod"])
    with pytest.raises(RuntimeError):
        store.create(_pod("a"))
    assert seen == [("ADDED", "a")]
    store.create(_pod("d"))  # c's event, still waiting, is delivered first
    assert seen == [("ADDED", "a"), ("ADDED", "c"), ("ADDED", "d")]


def test_a_binding_is_not_validated_but_a_spec_edit_with_it_is() -> None:
    cluster = Cluster(seed=1, strict=True)
    cluster.controllers.clear()
    pod = new_object("Pod", "p", "default", spec={"containers": [{"name": "c", "image": "x"}]})
    stored = cluster.store.create(pod)
    bound = cluster.store.update({**stored, "spec": {**stored["spec"], "nodeName": "worker-1"}})
    assert bound["spec"]["nodeName"] == "worker-1"
    assert bound["metadata"]["generation"] == 1
    other = cluster.store.create({**pod, "metadata": {"name": "q", "namespace": "default"}})
    bad = {**other["spec"], "nodeName": "worker-1", "containers": [{"name": "C_", "image": "x"}]}
    with pytest.raises(AdmissionInvalid):
        cluster.store.update({**other, "spec": bad})
    with pytest.raises(AdmissionInvalid):  # a second binding changes a bound pod's spec
        cluster.store.update({**bound, "spec": {**bound["spec"], "nodeName": "worker-2"}})


def test_an_adopted_update_keeps_the_writers_object_and_copies_nothing() -> None:
    store = Store(VirtualClock())
    stored = store.create(_pod("a", phase="Pending"))
    status = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    new = {**stored, "status": status}
    kept = store.update(new, adopt=True)
    assert kept is new
    assert kept["status"] is status
    assert kept["spec"] is stored["spec"]  # the stored version's part, shared
    assert kept["metadata"] is not stored["metadata"]  # the server-owned fields are new
    assert kept["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"]
    assert stored["status"] == {"phase": "Pending"}  # the old version is untouched
    assert store.update({**kept}, adopt=True) is kept  # a no-op write stores nothing
    copied = store.update({**kept, "status": {"phase": "Succeeded"}})
    assert copied["status"] == {"phase": "Succeeded"}
