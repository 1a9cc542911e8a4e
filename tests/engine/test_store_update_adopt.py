"""``Store.update(obj, adopt=True)`` keeps the caller's object instead of copying it (the
endpoint controllers hand over objects built for the write), with the server-owned metadata
and the no-op rule of an ordinary update."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.objects import new_object


def test_adopted_update_keeps_the_object_and_server_metadata() -> None:
    store = Cluster(seed=0, nodes=0).store
    stored = store.create(new_object("Endpoints", "app", "default", subsets=[]))
    md = dict(stored["metadata"])
    md.pop("uid")
    md["labels"] = {"a": "b"}
    addresses = [{"ip": "10.0.0.1"}]
    updated = dict(stored) | {"metadata": md, "subsets": [{"addresses": addresses}]}
    result = store.update(updated, adopt=True)
    assert result is updated
    assert result["subsets"][0]["addresses"] is addresses
    assert result["metadata"]["uid"] == stored["metadata"]["uid"]
    assert result["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"]
    assert store.must_get("Endpoints", "default", "app") is result


def test_an_adopted_no_op_update_returns_the_stored_object() -> None:
    store = Cluster(seed=0, nodes=0).store
    stored = store.create(new_object("Endpoints", "app", "default", subsets=[]))
    same = dict(stored) | {"metadata": dict(stored["metadata"])}
    assert store.update(same, adopt=True) is stored
