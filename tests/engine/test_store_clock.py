"""Store semantics and the virtual clock."""

from __future__ import annotations

import pytest

from engine.clock import RealClock, VirtualClock
from engine.objects import new_object
from engine.selectors import from_label_selector, parse
from engine.store import AlreadyExists, NotFound, Store, WatchEvent


def make_store() -> Store:
    return Store(VirtualClock())


def test_virtual_clock_fires_in_time_then_schedule_order() -> None:
    clock = VirtualClock()
    fired: list[str] = []
    clock.call_later(5, lambda: fired.append("b"))
    clock.call_later(1, lambda: fired.append("a"))
    clock.call_later(5, lambda: fired.append("c"))
    cancelled = clock.call_later(3, lambda: fired.append("x"))
    cancelled.cancel()
    clock.advance(4)
    assert fired == ["a"]
    assert clock.now() == 4
    clock.advance(1)
    assert fired == ["a", "b", "c"]
    assert clock.timestamp() == "2026-07-06T10:00:05Z"


def test_real_clock_speed_pause_and_step() -> None:
    t = [100.0]
    clock = RealClock(speed=2.0, monotonic=lambda: t[0])
    t[0] += 3
    assert clock.now() == 6.0
    clock.pause()
    t[0] += 10
    assert clock.now() == 6.0
    fired: list[float] = []
    clock.call_at(20, lambda: fired.append(clock.now()))
    assert clock.step() is True
    assert fired == [20.0]
    clock.resume()
    t[0] += 1
    assert clock.now() == 22.0


def test_create_assigns_metadata_and_rejects_duplicates() -> None:
    store = make_store()
    obj = store.create(new_object("Pod", "web-0", "default", spec={}))
    md = obj["metadata"]
    assert md["uid"]
    assert md["resourceVersion"] == "1"
    assert md["creationTimestamp"] == "2026-07-06T10:00:00Z"
    with pytest.raises(AlreadyExists, match='pods "web-0" already exists'):
        store.create(new_object("Pod", "web-0", "default", spec={}))
    with pytest.raises(NotFound, match=r'statefulsets\.apps "web" not found'):
        store.delete("StatefulSet", "default", "web")


def test_watch_handlers_see_events_in_order() -> None:
    store = make_store()
    seen: list[tuple[str, str]] = []

    def handler(ev: WatchEvent) -> None:
        seen.append((ev.type, ev.obj["metadata"]["name"]))

    store.subscribe(handler, kinds=["ConfigMap", "Pod"])
    pod = store.create(new_object("Pod", "a", "default", spec={"nodeName": "n1"}))
    upd = dict(pod, status={"phase": "Running"})
    store.update(upd)
    store.update(upd)  # no-op: no event
    store.delete("Pod", "default", "a", grace_period=30)
    assert store.get("Pod", "default", "a")["metadata"]["deletionGracePeriodSeconds"] == 30
    store.remove("Pod", "default", "a")
    assert seen == [("ADDED", "a"), ("MODIFIED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


def test_finalizer_keeps_object_until_removed() -> None:
    store = make_store()
    pvc = new_object("PersistentVolumeClaim", "www-web-0", "default", spec={})
    pvc["metadata"]["finalizers"] = ["kubernetes.io/pvc-protection"]
    store.create(pvc)
    terminating = store.delete("PersistentVolumeClaim", "default", "www-web-0")
    assert terminating is not None
    assert terminating["metadata"]["deletionTimestamp"]
    cleared = dict(terminating, metadata=dict(terminating["metadata"], finalizers=[]))
    store.update(cleared)
    assert store.get("PersistentVolumeClaim", "default", "www-web-0") is None


def test_owner_index_and_selectors() -> None:
    store = make_store()
    owner = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "name": "web",
        "uid": "u1",
        "controller": True,
    }
    for i in range(3):
        pod = new_object("Pod", f"web-{i}", "default", spec={})
        pod["metadata"]["labels"] = {"app": "nginx", "idx": str(i)}
        pod["metadata"]["ownerReferences"] = [owner]
        store.create(pod)
    assert len(store.owned_by("Pod", "u1")) == 3
    assert len(store.list("Pod", "default", parse("app=nginx,idx in (0,2)"))) == 2
    assert len(store.list("Pod", "default", parse("!idx"))) == 0
    sel = from_label_selector(
        {"matchExpressions": [{"key": "idx", "operator": "NotIn", "values": ["1"]}]}
    )
    assert len(store.list("Pod", "default", sel)) == 2


def test_binding_a_pod_does_not_bump_its_generation() -> None:
    store = make_store()
    pod = store.create(new_object("Pod", "web-0", "default", spec={"containers": []}))
    bound = store.update(dict(pod, spec={"containers": [], "nodeName": "worker-1"}))
    assert bound["metadata"]["generation"] == 1
    changed = store.update(
        dict(bound, spec={"containers": [{"name": "c"}], "nodeName": "worker-1"})
    )
    assert changed["metadata"]["generation"] == 2
