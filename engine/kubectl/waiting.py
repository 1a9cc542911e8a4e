"""Letting simulated time pass while a command waits, as kubectl blocks on the real cluster.

On the virtual clock (scripts, tests, demos) waiting runs the cluster forward with
``Cluster.run_until``. A cluster driven by a real clock (the app) moves by itself, so commands
there never block: they check once and return.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.clock import VirtualClock
from engine.kubectl.env import Env
from engine.kubectl.parse import error, parse_duration
from engine.kubectl.resources import plural
from engine.objects import Obj

#: How long a "wait forever" (``--timeout=0``) waits before giving up in the simulation.
FOREVER = 3600.0


def timeout_seconds(text: str, default: float) -> float:
    """``--timeout`` value in seconds; ``0``/``0s`` means "forever" (capped at an hour)."""
    if not text:
        return default
    seconds = parse_duration(text)
    if seconds is None:
        raise error(
            f'invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"'
        )
    return FOREVER if seconds <= 0 else seconds


def can_wait(env: Env) -> bool:
    """Whether this cluster's clock can be run forward by a command."""
    return isinstance(env.cluster.clock, VirtualClock)


def run_until(env: Env, predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the cluster until ``predicate()`` holds or ``timeout`` simulated seconds pass."""
    if not can_wait(env):
        return predicate()
    return env.cluster.run_until(predicate, timeout=timeout)


def is_gone(env: Env, obj: Obj) -> bool:
    """The object no longer exists (or a new one with the same name replaced it)."""
    md = obj["metadata"]
    current = env.cluster.store.get(obj["kind"], md.get("namespace", ""), md["name"])
    return current is None or current["metadata"].get("uid") != md.get("uid")


def wait_gone(env: Env, objs: list[Obj], timeout_text: str) -> None:
    """``delete --wait``: block until every object is gone."""
    timeout = timeout_seconds(timeout_text, FOREVER)
    if not can_wait(env):
        return
    for obj in objs:
        if not run_until(env, _gone_check(env, obj), timeout):
            raise error(f"timed out waiting for the condition on {ref(obj)}")


def _gone_check(env: Env, obj: Obj) -> Callable[[], bool]:
    return lambda: is_gone(env, obj)


def ref(obj: Obj) -> str:
    """``pods/web-1`` (the form in wait errors)."""
    return f"{plural(obj['kind'])}/{obj['metadata']['name']}"
