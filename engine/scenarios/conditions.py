"""``wait`` steps as predicates over the cluster, shared by every player.

``condition=NAME[=VALUE]`` holds when the object exists and its ``status.conditions`` has type
NAME with status VALUE (default True), compared case-insensitively as ``kubectl wait`` does.
Unlike ``kubectl wait``, an object that does not exist yet is simply not ready (a demo may wait
for ``pod/web-2`` before the controller has created it). ``delete`` holds once the object that
existed when the wait began is gone (a new object with the same name does not count).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.cluster import Cluster
from engine.kubectl.resources import plural, qualified_singular
from engine.objects import Obj, is_namespaced
from engine.scenarios.model import WaitFor


def wait_predicate(cluster: Cluster, namespace: str, wait: WaitFor) -> Callable[[], bool]:
    """A predicate that holds once ``wait`` is satisfied (evaluated from now on)."""
    ns = namespace if is_namespaced(wait.kind) else ""

    def current() -> Obj | None:
        return cluster.store.get(wait.kind, ns, wait.name)

    if wait.deleting:
        start = current()
        uid = start["metadata"].get("uid") if start is not None else None

        def gone() -> bool:
            now = current()
            return now is None or now["metadata"].get("uid") != uid

        return gone

    def met() -> bool:
        obj = current()
        return obj is not None and has_condition(obj, wait.condition or "", wait.value)

    return met


def has_condition(obj: Obj, name: str, value: str) -> bool:
    """Whether ``obj`` has condition ``name`` with status ``value`` (case-insensitive)."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if str(cond.get("type", "")).lower() == name.lower():
            return str(cond.get("status", "")).lower() == value.lower()
    return False


def met_line(wait: WaitFor) -> str:
    """What ``kubectl wait`` prints when the wait succeeds."""
    return f"{qualified_singular(wait.kind)}/{wait.name} condition met\n"


def timeout_message(wait: WaitFor) -> str:
    """What ``kubectl wait`` prints when the wait times out."""
    return f"timed out waiting for the condition on {plural(wait.kind)}/{wait.name}"
