"""Equal leaf dicts and lists of stored objects are shared (engine.interning)."""

from __future__ import annotations

from typing import Any

from engine.clock import VirtualClock
from engine.interning import Interner
from engine.objects import copy_obj, new_object
from engine.store import Store


def _pod(name: str, **spec: Any) -> dict[str, Any]:
    containers = [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]
    return new_object("Pod", name, "default", spec={"containers": containers, **spec})


def test_equal_leaf_dicts_of_two_stored_objects_are_one() -> None:
    store = Store(VirtualClock())
    a = store.create(_pod("a", nodeSelector={"disk": "ssd"}))
    b = store.create(_pod("b", nodeSelector={"disk": "ssd"}))
    assert a["spec"]["nodeSelector"] is b["spec"]["nodeSelector"]
    assert a["spec"]["containers"][0]["ports"][0] is b["spec"]["containers"][0]["ports"][0]
    assert a["metadata"] is not b["metadata"]
    assert a["spec"] is not b["spec"]


def test_values_of_other_types_or_order_are_not_shared() -> None:
    interner = Interner()
    first: dict[str, Any] = {
        "n": {"a": 1, "b": "x"},
        "o": {"b": "x", "a": 1},
        "l": [1, 2],
        "f": {"v": 0.0},
    }
    second: dict[str, Any] = {
        "n": {"a": True, "b": "x"},
        "o": {"a": 1, "b": "x"},
        "l": [True, 2],
        "f": {"v": -0.0},
    }
    third = copy_obj(first)
    for obj in (first, second, third):
        interner.share(obj, None)
    assert second["n"] is not first["n"]  # 1 is not True
    assert second["o"] is first["n"]  # same keys in the same order
    assert second["o"] is not first["o"]
    assert second["l"] is not first["l"]
    assert third["n"] is first["n"]
    assert third["l"] is first["l"]
    assert third["f"] is not first["f"]  # floats are never shared
    assert list(second["o"]) == ["a", "b"]


def test_parts_still_the_old_version_are_left_alone() -> None:
    interner = Interner()
    old: dict[str, Any] = {"spec": {"x": {"a": "b"}}, "status": {"c": "d"}}
    interner.share(old, None)
    size = len(interner)
    new = {**old, "status": {"c": "d"}}
    interner.share(new, old)
    assert new["spec"] is old["spec"]
    assert new["status"] is old["status"]
    assert len(interner) == size


def test_a_full_table_starts_afresh() -> None:
    interner = Interner(limit=3)
    objs = [{"v": {"i": str(i)}} for i in range(5)]
    for obj in objs:
        interner.share(obj, None)
    assert len(interner) == 2  # cleared at the fourth
    again = {"v": {"i": "4"}}
    interner.share(again, None)
    assert again["v"] is objs[4]["v"]


def test_metadata_itself_is_never_shared() -> None:
    interner = Interner()
    one: dict[str, Any] = {"metadata": {"name": "x", "labels": {"app": "a"}}}
    two: dict[str, Any] = {"metadata": {"name": "x", "labels": {"app": "a"}}}
    interner.share(one, None)
    interner.share(two, None)
    assert two["metadata"] is not one["metadata"]
    assert two["metadata"]["labels"] is one["metadata"]["labels"]
