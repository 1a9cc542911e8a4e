"""What every command handler gets: the cluster, the namespace and the output being built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.kubectl.parse import Flag, Parsed, error
from engine.kubectl.resources import NotFoundError
from engine.kubectl.tables import Ctx
from engine.objects import Obj, is_namespaced
from engine.result import CommandResult
from engine.selectors import Matcher, SelectorError, parse

if TYPE_CHECKING:
    from engine.cluster import Cluster


@dataclass
class Env:
    """One command's execution context."""

    cluster: Cluster
    namespace: str
    result: CommandResult
    command: str = ""
    #: text given on standard input (a script's here-document), if any
    stdin: str | None = None
    #: ``-n`` was given on the command line
    namespace_given: bool = False

    @property
    def ctx(self) -> Ctx:
        """Cell-rendering context (the cluster clock)."""
        return Ctx(self.cluster.clock)

    def out(self, text: str) -> None:
        """Write to stdout."""
        self.result.out(text)

    def err(self, text: str) -> None:
        """Write to stderr."""
        self.result.err(text)

    def must_get(self, kind: str, name: str, namespace: str | None = None) -> Obj:
        """The object or kubectl's NotFound error."""
        ns = self.namespace if namespace is None else namespace
        obj = self.cluster.store.get(kind, ns if is_namespaced(kind) else "", name)
        if obj is None:
            raise NotFoundError(kind, name)
        return obj

    def list(self, kind: str, namespace: str | None, selector: Matcher | None = None) -> list[Obj]:
        """Objects of ``kind`` in API order (namespace, then name; byte-wise)."""
        return sorted(self.cluster.store.list(kind, namespace, selector), key=api_order)


def api_order(obj: Obj) -> tuple[str, str]:
    """The API server's list order: by namespace and name, byte-wise. A real Event's name ends
    in a fixed-width hex timestamp (``web-0.18a2b3c4d5e6f708``); the simulation's are shorter,
    so they are compared as if zero-padded to that width."""
    md = obj["metadata"]
    name = str(md["name"])
    if obj.get("kind") == "Event" and "." in name:
        base, _, stamp = name.rpartition(".")
        name = f"{base}.{stamp.zfill(16)}"
    return (md.get("namespace", ""), name)


def selector_of(text: str) -> Matcher | None:
    """``-l`` value → matcher (None when not given); kubectl's error when unparsable."""
    if not text:
        return None
    try:
        return parse(text)
    except SelectorError as exc:
        raise error(f"unable to parse requirement: {exc}") from exc


Handler = Callable[[Env, Parsed], None]


@dataclass(frozen=True)
class Command:
    """A kubectl sub-command: its flags and handler."""

    name: str
    flags: tuple[Flag, ...]
    handler: Handler
