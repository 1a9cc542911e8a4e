"""``wait`` steps as predicates over the cluster, shared by every player.

``condition=NAME[=VALUE]`` holds when the object exists and its ``status.conditions`` has type
NAME with status VALUE (default True), compared case-insensitively as ``kubectl wait`` does.
Unlike ``kubectl wait``, an object that does not exist yet is simply not ready (a demo may wait
for ``pod/web-2`` before the controller has created it). ``delete`` holds once the object as it was
before the last command that changed the cluster is gone — deleted, or replaced by a new
object with the same name (a StatefulSet recreates ``web-0`` at once). Remembering it at that
command, not when the wait begins, makes the wait mean the same live, where the cluster runs
on during the beat after a command, as on the virtual clock (see :class:`Before`).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.cluster import Cluster
from engine.kubectl.resources import plural, qualified_singular
from engine.objects import Obj, is_namespaced
from engine.scenarios.model import Scenario, Step, WaitFor

#: commands that change no object: they leave what a ``delete`` wait remembers alone
READ_ONLY = frozenset(
    {
        "get",
        "describe",
        "logs",
        "exec",
        "nslookup",
        "dig",
        "host",
        "cluster-info",
        "version",
        "api-resources",
        "explain",
    }
)


class Before:
    """The uids of a scenario's ``delete``-wait targets before the last changing command."""

    def __init__(self, scenario: Scenario) -> None:
        self.namespace = scenario.namespace
        self.targets = {
            (s.wait.kind, s.wait.name) for s in scenario.steps if s.wait and s.wait.deleting
        }
        self.uids: dict[tuple[str, str], str | None] = {}

    def command(self, cluster: Cluster, step: Step) -> None:
        """Call before a command or keys step runs."""
        line = step.equivalent if step.kind == "keys" else step.text
        if step.kind == "keys" and not line:
            return
        words = line.split()
        verb = words[1] if words[:1] in (["kubectl"], ["k"]) and len(words) > 1 else words[0]
        if verb in READ_ONLY:
            return
        for kind, name in self.targets:
            obj = _get(cluster, self.namespace, kind, name)
            self.uids[(kind, name)] = obj["metadata"].get("uid") if obj is not None else None


def _get(cluster: Cluster, namespace: str, kind: str, name: str) -> Obj | None:
    return cluster.store.get(kind, namespace if is_namespaced(kind) else "", name)


def wait_predicate(
    cluster: Cluster, namespace: str, wait: WaitFor, before: Before | None = None
) -> Callable[[], bool]:
    """A predicate that holds once ``wait`` is satisfied (evaluated from now on)."""

    def current() -> Obj | None:
        return _get(cluster, namespace, wait.kind, wait.name)

    if wait.deleting:
        key = (wait.kind, wait.name)
        if before is not None and key in before.uids:
            uid = before.uids[key]
        else:
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
