"""The store's cheap writes: updates share unchanged sub-values with the stored version,
index reads without copies, per-kind watch dispatch, uid and timestamp formatting."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from engine.clock import VirtualClock
from engine.cluster import Cluster
from engine.objects import copy_obj, copy_sharing, new_object
from engine.store import Store, WatchEvent


def make_store() -> Store:
    return Store(VirtualClock())


def _pod(name: str, node: str = "") -> dict[str, object]:
    spec: dict[str, object] = {"containers": [{"name": "c", "image": "nginx", "ports": []}]}
    if node:
        spec["nodeName"] = node
    return new_object("Pod", name, "default", spec=spec)


def test_copy_sharing_reuses_only_what_is_the_old_value() -> None:
    old = {"a": {"x": [1, {"y": 2}]}, "b": {"z": 3}, "c": [{"k": 1}, {"k": 2}]}
    edited = {**old, "b": {"z": 4}, "c": [old["c"][0], {"k": 5}]}
    new = copy_sharing(edited, old)
    assert new == edited
    assert new is not edited
    assert new["a"] is old["a"]  # untouched: shared
    assert new["b"] is not edited["b"]  # the caller's own dict: copied
    assert new["c"] is not edited["c"]
    assert new["c"][0] is old["c"][0]
    assert new["c"][1] is not edited["c"][1]
    same = copy_sharing(old, old)
    assert same == old
    assert same is not old  # the top level is always a copy


def test_copy_obj_is_deep_and_keeps_subclasses_equal() -> None:
    value = {"a": [{"b": [1, 2, {"c": None}]}], "d": (1, 2), "e": 1.5, "f": True}
    copied = copy_obj(value)
    assert copied == value
    copied["a"][0]["b"][2]["c"] = "changed"
    assert value["a"][0]["b"][2]["c"] is None


def test_update_shares_unchanged_parts_and_never_changes_the_old_version() -> None:
    store = make_store()
    stored = store.create(_pod("web-0", "node-1"))
    before = copy_obj(stored)
    status = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    updated = store.update({**stored, "status": status})
    assert updated["spec"] is stored["spec"]
    assert updated["metadata"] is not stored["metadata"]
    assert updated["status"] == status
    assert updated["status"] is not status
    status["phase"] = "Failed"  # the caller's dict stays the caller's
    assert store.must_get("Pod", "default", "web-0")["status"]["phase"] == "Running"
    assert stored == before  # the previous version is untouched
    assert updated["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"]


def test_update_copies_what_the_caller_built() -> None:
    store = make_store()
    stored = store.create(_pod("web-0"))
    mine = copy_obj(stored)
    mine["spec"]["containers"][0]["image"] = "nginx:2"
    updated = store.update(mine)
    mine["spec"]["containers"][0]["image"] = "nginx:3"
    assert updated["spec"]["containers"][0]["image"] == "nginx:2"
    assert updated["metadata"]["generation"] == 2


def test_no_write_changes_an_earlier_version_in_a_running_cluster() -> None:
    """Every version a watcher saw still equals a snapshot taken when it was delivered:
    admission, controllers and the kubelet never edit shared sub-values."""
    cluster = Cluster(seed=3, nodes=2, strict=True)
    seen: list[tuple[dict[str, object], dict[str, object]]] = []

    def record(ev: WatchEvent) -> None:
        seen.append((ev.obj, copy_obj(ev.obj)))

    cluster.store.subscribe(record)
    cluster.apply("web.yaml", _WEB)
    cluster.settle()
    cluster.scale("StatefulSet", "default", "web", 1)
    cluster.delete("Pod", "default", "web-0")
    cluster.settle()
    assert len(seen) > 50
    changed = [snap["metadata"] for obj, snap in seen if obj != snap]
    assert changed == []


def test_index_count_and_view_read_the_index_without_copies() -> None:
    store = make_store()
    store.add_index("Pod", "node", lambda p: [p["spec"].get("nodeName", "")])
    store.create(_pod("a", "n1"))
    store.create(_pod("b", "n1"))
    store.create(_pod("c", "n2"))
    assert store.index_count("Pod", "node", "n1") == 2
    assert store.index_count("Pod", "node", "n9") == 0
    view = store.index_view("Pod", "node", "n1")
    assert sorted(p["metadata"]["name"] for p in view) == ["a", "b"]
    assert len(store.index_view("Pod", "node", "n9")) == 0
    store.remove("Pod", "default", "a")
    assert [p["metadata"]["name"] for p in store.index_view("Pod", "node", "n1")] == ["b"]


def test_handlers_run_in_subscription_order_per_kind_and_after_changes() -> None:
    store = make_store()
    calls: list[str] = []
    store.subscribe(lambda ev: calls.append("all"))
    store.subscribe(lambda ev: calls.append("pod"), kinds=["Pod"])
    store.subscribe(lambda ev: calls.append("svc"), kinds=["Service"])

    def late(ev: WatchEvent) -> None:
        calls.append("late")

    def adder(ev: WatchEvent) -> None:
        calls.append("adder")
        store.subscribe(late, kinds=["Pod"])

    store.subscribe(adder, kinds=["Pod"])
    store.create(_pod("a"))
    assert calls == ["all", "pod", "adder"]  # subscribed mid-event: from the next one on
    calls.clear()
    store.unsubscribe(adder)
    store.create(_pod("b"))
    assert calls == ["all", "pod", "late"]
    calls.clear()
    store.create(new_object("Service", "s", "default", spec={}))
    assert calls == ["all", "svc"]


def test_new_uid_is_the_uuid4_of_the_seeded_bits() -> None:
    store = Store(VirtualClock(), random.Random(7))
    expected = random.Random(7)
    for _ in range(200):
        assert store.new_uid() == str(uuid.UUID(int=expected.getrandbits(128), version=4))


def test_timestamp_follows_time_and_epoch_changes() -> None:
    clock = VirtualClock()
    assert clock.timestamp() == "2026-07-06T10:00:00Z"
    assert clock.timestamp(61.5) == "2026-07-06T10:01:01Z"
    assert clock.timestamp() == "2026-07-06T10:00:00Z"
    clock.epoch = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert clock.timestamp() == "2030-01-02T03:04:05Z"
    clock.advance(1)
    assert clock.timestamp() == "2030-01-02T03:04:06Z"


_WEB = """
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports: [{containerPort: 80, name: web}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""
