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
    store.create(_pod("a", nodeSelector={"disk": "ssd"}))  # met once: kept as it is
    b = store.create(_pod("b", nodeSelector={"disk": "ssd"}))
    c = store.create(_pod("c", nodeSelector={"disk": "ssd"}))
    assert c["spec"]["nodeSelector"] is b["spec"]["nodeSelector"]
    assert c["spec"]["containers"][0]["ports"][0] is b["spec"]["containers"][0]["ports"][0]
    assert c["metadata"] is not b["metadata"]
    assert c["spec"] is not b["spec"]


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
    third, fourth = copy_obj(first), copy_obj(first)
    for obj in (first, second, third, fourth):
        interner.share(obj, None)
    assert fourth["n"] is third["n"]
    assert fourth["l"] is third["l"]
    assert second["n"] is not first["n"]  # 1 is not True
    assert third["n"] is not second["n"]
    assert fourth["o"] is third["o"]
    assert fourth["o"] is not third["n"]  # other key order
    assert third["l"] is not second["l"]
    assert fourth["f"] is not third["f"]  # floats are never shared
    assert list(second["o"]) == ["a", "b"]


def test_parts_still_the_old_version_are_left_alone_and_equal_ones_share_it() -> None:
    interner = Interner()
    old: dict[str, Any] = {"spec": {"x": {"a": "b"}}, "status": {"c": "d", "n": 1}}
    interner.share(old, None)
    new = {**old, "status": {"c": "d", "n": 1}}
    interner.share(new, old)
    assert new["spec"] is old["spec"]
    assert new["status"] is old["status"]  # equal to the stored version's: that one
    changed = {**old, "status": {"c": "d", "n": True}}
    interner.share(changed, old)
    assert changed["status"] is not old["status"]
    assert changed["status"]["n"] is True


def test_a_container_joins_the_table_when_met_again() -> None:
    interner = Interner()
    first, second, third = ({"v": {"i": "x"}} for _ in range(3))
    interner.share(first, None)
    assert len(interner) == 0  # met once: only its hash is kept
    interner.share(second, None)
    interner.share(third, None)
    assert len(interner) == 1
    assert third["v"] is second["v"]
    assert first["v"] is not second["v"]


def test_a_full_table_starts_afresh() -> None:
    interner = Interner(limit=3)
    objs = [{"v": {"i": str(i)}} for i in range(5) for _ in range(2)]
    for obj in objs:
        interner.share(obj, None)
    assert len(interner) == 2  # cleared at the fourth
    again = {"v": {"i": "4"}}
    interner.share(again, None)
    assert again["v"] is objs[9]["v"]


def test_metadata_itself_is_never_shared() -> None:
    interner = Interner()
    objs: list[dict[str, Any]] = [
        {"metadata": {"name": "x", "labels": {"app": "a"}}} for _ in range(3)
    ]
    for obj in objs:
        interner.share(obj, None)
    assert objs[2]["metadata"] is not objs[1]["metadata"]
    assert objs[2]["metadata"]["labels"] is objs[1]["metadata"]["labels"]


def test_old_elements_of_a_long_list_are_kept_where_they_moved() -> None:
    interner = Interner()
    old: dict[str, Any] = {"items": [{"i": str(n)} for n in range(10)]}
    interner.share(old, None)
    new = {"items": [*old["items"][2:], {"i": "0"}]}
    kept = list(new["items"][:8])
    interner.share(new, old)
    assert all(a is b for a, b in zip(new["items"][:8], kept, strict=True))
    assert new["items"][8] == {"i": "0"}
