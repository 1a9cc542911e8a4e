"""The object store: the only mutable cluster state.

Like the API server, the store assigns ``uid``, ``resourceVersion``, ``creationTimestamp`` and
``generation``; turns a delete into a ``deletionTimestamp`` when the object has finalizers (or is
a pod that needs a graceful shutdown); and tells every watcher about every change, in order.

Two kinds of watchers:

* **handlers** (:meth:`Store.subscribe`) are called synchronously with each :class:`WatchEvent`.
  Controllers use them to enqueue keys. A handler must not write to the store; if one does, the
  events it causes are queued and delivered after the current one, so order is kept.
* **streams** (:meth:`Store.watch`) are asyncio queues for consumers living on an event loop
  (the TUI bridge).

Objects handed out are the store's own values: treat them as read-only (see
:mod:`engine.objects`). That is what lets writes be cheap: an update copies its input except
the parts that still *are* the stored version's (:func:`engine.objects.copy_sharing`), so a
writer that builds ``{**pod, "status": new_status}`` copies only the status, and versions
share what did not change; a writer that built its object for the call and never touches it
again passes ``adopt=True`` (to ``create`` or ``update``) and nothing is copied. Admission
hooks may therefore see sub-values shared with the old version; they only fill what is
missing (defaulting is idempotent), so they never change them.
After admission, equal small leaf dicts and lists are shared among objects too
(:mod:`engine.interning`): a stored value may be part of many objects.
"""

from __future__ import annotations

import asyncio
import builtins
import random
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from engine.clock import Clock
from engine.interning import Interner
from engine.objects import (
    KINDS,
    Obj,
    controller_ref,
    copy_obj,
    copy_sharing,
    is_namespaced,
    labels_of,
)
from engine.selectors import Matcher

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
Key = tuple[str, str]  # (namespace, name)
IndexFunc = Callable[[Obj], Iterable[str]]
#: An admission hook: called with (new, old) before a create (old None) or update is stored;
#: may default fields of ``new`` in place or raise :class:`Invalid`.
Admission = Callable[[Obj, "Obj | None"], None]

#: Kinds whose objects have no namespace.
_CLUSTER_SCOPED = frozenset(kind for kind, (_, _, namespaced) in KINDS.items() if not namespaced)
#: Kinds whose objects are not interned: Events are all unique; endpoint lists are big,
#: rewritten on every change and few.
_NOT_INTERNED = frozenset({"Event", "Endpoints", "EndpointSlice"})
#: Kinds whose metadata.generation is bumped when their spec changes.
_GENERATION_KINDS = {"StatefulSet", "Deployment", "ReplicaSet", "Pod"}


class StoreError(Exception):
    """Base for API-like errors; ``reason`` mirrors metav1.StatusReason."""

    reason = "InternalError"


def _qualified_resource(kind: str) -> str:
    """``statefulsets.apps``, ``pods``: the resource as API errors name it."""
    if kind not in KINDS:
        return kind.lower()
    api_version, resource, _ = KINDS[kind]
    return f"{resource}.{api_version.split('/')[0]}" if "/" in api_version else resource


class NotFound(StoreError):
    """The object does not exist."""

    reason = "NotFound"

    def __init__(self, kind: str, namespace: str, name: str) -> None:
        super().__init__(f'{_qualified_resource(kind)} "{name}" not found')
        self.kind, self.namespace, self.name = kind, namespace, name


class AlreadyExists(StoreError):
    """An object with that name already exists."""

    reason = "AlreadyExists"

    def __init__(self, kind: str, namespace: str, name: str) -> None:
        super().__init__(f'{_qualified_resource(kind)} "{name}" already exists')
        self.kind, self.namespace, self.name = kind, namespace, name


class Conflict(StoreError):
    """The object changed since it was read (resourceVersion mismatch)."""

    reason = "Conflict"


class Invalid(StoreError):
    """The write is not allowed (for example an immutable field changed)."""

    reason = "Invalid"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change: ``obj`` is the new state (the last state for DELETED), ``old`` the prior."""

    type: EventType
    kind: str
    obj: Obj
    old: Obj | None = None

    @property
    def key(self) -> Key:
        """(namespace, name) of the object."""
        md = self.obj["metadata"]
        return (md.get("namespace", ""), md["name"])


Handler = Callable[[WatchEvent], None]


class Store:
    """Objects by kind and (namespace, name), with indexes, watches and API semantics."""

    def __init__(self, clock: Clock, rng: random.Random | None = None) -> None:
        self.clock = clock
        self._rng = rng or random.Random(0)
        self._objects: dict[str, dict[Key, Obj]] = {kind: {} for kind in KINDS}
        self._rv = 0
        self._handlers: list[tuple[frozenset[str] | None, Handler]] = []
        #: per kind, the handlers that get its events, in subscription order (rebuilt lazily)
        self._dispatch: dict[str, tuple[Handler, ...]] = {}
        self._streams: list[tuple[frozenset[str] | None, asyncio.Queue[WatchEvent]]] = []
        self._pending: deque[WatchEvent] = deque()
        self._dispatching = False
        self._indexes: dict[str, dict[str, _Index]] = {kind: {} for kind in KINDS}
        self._admission: dict[str, list[Admission]] = {kind: [] for kind in KINDS}
        #: equal leaf dicts/lists of stored objects are one object (see _NOT_INTERNED)
        self._interner = Interner()
        for kind in KINDS:
            self.add_index(kind, "owner", _owner_index)

    def add_admission(self, kind: str, hook: Admission) -> None:
        """Run ``hook(new, old)`` on every create/update of ``kind`` (defaulting, validation,
        allocation), like the API server's admission chain."""
        self._admission[kind].append(hook)

    # -- identity ---------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        """The latest resourceVersion handed out."""
        return self._rv

    def new_uid(self) -> str:
        """A random (seeded) UUID4 string: ``str(uuid.UUID(int=bits, version=4))``, formatted
        directly (the UUID object costs more than the rest of a create)."""
        bits = self._rng.getrandbits(128)
        bits = (bits & ~(0xC000 << 48) | (0x8000 << 48)) & ~(0xF000 << 64) | (4 << 76)
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    # -- reads --------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The object, or None. Read-only."""
        return self._objects[kind].get((namespace if kind not in _CLUSTER_SCOPED else "", name))

    def must_get(self, kind: str, namespace: str, name: str) -> Obj:
        """The object, or raise :class:`NotFound`."""
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise NotFound(kind, namespace, name)
        return obj

    def list(
        self,
        kind: str,
        namespace: str | None = None,
        selector: Matcher | None = None,
    ) -> list[Obj]:
        """Objects of ``kind`` (in ``namespace`` unless None), optionally label-filtered."""
        objs: Iterable[Obj] = self._objects[kind].values()
        if namespace is not None and is_namespaced(kind):
            objs = (o for o in objs if o["metadata"].get("namespace") == namespace)
        if selector is not None:
            objs = (o for o in objs if selector(labels_of(o)))
        return list(objs)

    def count(self, kind: str) -> int:
        """Number of objects of ``kind``."""
        return len(self._objects[kind])

    def add_index(
        self, kind: str, name: str, func: IndexFunc, *, reads: Iterable[str] | None = None
    ) -> None:
        """Maintain an index of ``kind`` objects by the values ``func`` returns.

        ``reads`` (optional) names every field ``func`` looks at, as dotted paths
        (``"spec.nodeName"``, ``"metadata.ownerReferences"``): an update that leaves each of
        them equal (the same object, or an equal value) keeps the object's index values
        without asking ``func`` about the old version.
        """
        table: dict[str, dict[Key, Obj]] = {}
        for key, obj in self._objects[kind].items():
            for value in func(obj):
                table.setdefault(value, {})[key] = obj
        paths = tuple(tuple(path.split(".")) for path in reads) if reads is not None else None
        self._indexes[kind][name] = (func, table, paths)

    def by_index(self, kind: str, name: str, value: str) -> builtins.list[Obj]:
        """Objects of ``kind`` whose index ``name`` contains ``value``."""
        return list(self._indexes[kind][name][1].get(value, {}).values())

    def index_count(self, kind: str, name: str, value: str) -> int:
        """How many objects of ``kind`` have ``value`` in index ``name`` (no list built)."""
        return len(self._indexes[kind][name][1].get(value, ()))

    def index_view(self, kind: str, name: str, value: str) -> Collection[Obj]:
        """A live read-only view of :meth:`by_index`'s objects, without copying them: valid
        until the next write (iterate it before writing, or take ``list()`` of it)."""
        bucket = self._indexes[kind][name][1].get(value)
        return bucket.values() if bucket is not None else ()

    def index_buckets(self, kind: str, name: str) -> Mapping[str, Mapping[Key, Obj]]:
        """The index ``name`` itself, read-only and live: value → {key: object}. For a
        reader that looks up many values at once (a scheduler scanning every node)."""
        return MappingProxyType(self._indexes[kind][name][1])

    def has_index(self, kind: str, name: str) -> bool:
        """Whether an index of that name exists."""
        return name in self._indexes[kind]

    def owned_by(self, kind: str, owner_uid: str) -> builtins.list[Obj]:
        """Objects of ``kind`` whose controller ownerReference has ``owner_uid``."""
        return self.by_index(kind, "owner", owner_uid)

    # -- writes -------------------------------------------------------------------------
    def create(self, obj: Obj, *, adopt: bool = False) -> Obj:
        """Store a new object (a copy); returns the stored value.

        With ``adopt`` the store keeps ``obj`` itself, no copy: for a caller that built it
        for this call and never touches it again. Its nested values may be shared with other
        stored objects only where admission never fills anything in (they stay read-only).
        """
        kind = obj["kind"]
        new = obj if adopt else copy_obj(obj)
        md = new.setdefault("metadata", {})
        if not md.get("name") and md.get("generateName"):
            md["name"] = self._generate_name(kind, md.get("namespace", ""), md["generateName"])
        if kind not in _CLUSTER_SCOPED:
            md.setdefault("namespace", "default")
        else:
            md.pop("namespace", None)
        key = (md.get("namespace", ""), md["name"])
        if key in self._objects[kind]:
            raise AlreadyExists(kind, key[0], key[1])
        for hook in self._admission[kind]:
            hook(new, None)
        md["uid"] = md.get("uid") or self.new_uid()
        md["resourceVersion"] = self._next_rv()
        md["creationTimestamp"] = md.get("creationTimestamp") or self.clock.timestamp()
        if kind in _GENERATION_KINDS:
            md["generation"] = 1
        md.pop("deletionTimestamp", None)
        self._put(kind, key, new, None)
        self._emit(WatchEvent("ADDED", kind, new, None))
        return new

    def update(self, obj: Obj, *, check_version: bool = False, adopt: bool = False) -> Obj:
        """Replace an existing object with ``obj`` (copied); returns the stored value.

        Keeps the server-owned metadata (uid, creationTimestamp, deletionTimestamp) and bumps
        ``generation`` when the spec changed. An object that is being deleted and has no
        finalizers left is removed (for pods: once the grace period was cut to 0).

        With ``adopt`` the store keeps ``obj`` and its values as they are, no copy: for a
        writer that built ``obj`` for this call (``{**stored, "status": fresh}``, or
        :func:`engine.objects.thaw` and edits) and never touches it again. Every value in it
        must be either built for this call or a stored, read-only one.
        """
        kind = obj["kind"]
        md_in = obj["metadata"]
        ns = md_in.get("namespace", "") if is_namespaced(kind) else ""
        key = (ns, md_in["name"])
        old = self._objects[kind].get(key)
        if old is None:
            raise NotFound(kind, key[0], key[1])
        if check_version and md_in.get("resourceVersion") not in (
            None,
            old["metadata"]["resourceVersion"],
        ):
            raise Conflict(
                f'Operation cannot be fulfilled on {KINDS[kind][1]} "{key[1]}": '
                "the object has been modified; please apply your changes to the latest version "
                "and try again"
            )
        old_md = old["metadata"]
        if adopt:
            new = obj if obj is not old else dict(old)
            md = new["metadata"]
            if md is old_md:
                md = new["metadata"] = dict(md)
        else:
            new = copy_sharing(obj, old)
            md = new["metadata"] = copy_sharing(new["metadata"], old_md)
        for field in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            if field in old_md:
                md[field] = old_md[field]
            else:
                md.pop(field, None)
        for hook in self._admission[kind]:
            hook(new, old)
        if kind in _GENERATION_KINDS:
            gen = old_md.get("generation", 1)
            md["generation"] = gen + 1 if _spec_changed(kind, old, new) else gen
        if _same(old, new):
            return old
        md["resourceVersion"] = self._next_rv()
        gone = kind != "Pod" or md.get("deletionGracePeriodSeconds") == 0
        if md.get("deletionTimestamp") and not md.get("finalizers") and gone:
            self._drop(kind, key, new)
            return new
        self._put(kind, key, new, old)
        self._emit(WatchEvent("MODIFIED", kind, new, old))
        return new

    def delete(
        self,
        kind: str,
        namespace: str,
        name: str,
        *,
        grace_period: int | None = None,
        propagation: str = "Background",
    ) -> Obj | None:
        """Delete like the API server; returns the object if it still exists (terminating).

        Pods on a node get a graceful deletion: ``deletionTimestamp`` = now + grace period
        (``grace_period`` or the pod's terminationGracePeriodSeconds, default 30); the kubelet
        removes them once their containers stopped. ``grace_period=0`` removes at once.
        ``propagation`` ``Orphan`` / ``Foreground`` add the matching finalizer for the garbage
        collector.
        """
        key = (namespace if is_namespaced(kind) else "", name)
        old = self._objects[kind].get(key)
        if old is None:
            raise NotFound(kind, key[0], key[1])
        new = copy_sharing(old, old)
        md = new["metadata"] = copy_sharing(old["metadata"], old["metadata"])
        finalizers: builtins.list[str] = list(md.get("finalizers") or [])
        if not md.get("deletionTimestamp"):
            if propagation == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            elif propagation == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
        if finalizers:
            md["finalizers"] = finalizers
        if kind == "Pod":
            grace = self._pod_grace(old, grace_period)
            if grace == 0 and not finalizers:
                self._drop(kind, key, new)
                return None
            current = md.get("deletionGracePeriodSeconds")
            if current is None or grace < current:
                md["deletionTimestamp"] = self.clock.timestamp(self.clock.now() + grace)
                md["deletionGracePeriodSeconds"] = grace
        elif not finalizers:
            self._drop(kind, key, new)
            return None
        else:
            md.setdefault("deletionTimestamp", self.clock.timestamp())
            md["deletionGracePeriodSeconds"] = 0
        if new == old:
            return old
        md["resourceVersion"] = self._next_rv()
        self._put(kind, key, new, old)
        self._emit(WatchEvent("MODIFIED", kind, new, old))
        return new

    def remove(self, kind: str, namespace: str, name: str) -> None:
        """Remove the object now, ignoring grace periods and finalizers (a kubelet's final
        delete, or a force delete)."""
        key = (namespace if is_namespaced(kind) else "", name)
        old = self._objects[kind].get(key)
        if old is None:
            raise NotFound(kind, key[0], key[1])
        self._drop(kind, key, old)

    def _pod_grace(self, pod: Obj, grace_period: int | None) -> int:
        if not pod.get("spec", {}).get("nodeName"):
            return 0  # never scheduled: nothing to stop
        if grace_period is not None:
            return max(0, grace_period)
        return int(pod.get("spec", {}).get("terminationGracePeriodSeconds", 30))

    def _generate_name(self, kind: str, namespace: str, prefix: str) -> str:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        base = prefix[:58]
        while True:
            name = base + "".join(self._rng.choice(alphabet) for _ in range(5))
            if (namespace if is_namespaced(kind) else "", name) not in self._objects[kind]:
                return name

    # -- internals ----------------------------------------------------------------------
    def _put(self, kind: str, key: Key, new: Obj, old: Obj | None) -> None:
        if kind not in _NOT_INTERNED:
            self._interner.share(new, old)
        self._objects[kind][key] = new
        for func, table, reads in self._indexes[kind].values():
            values = func(new)
            if old is not None:
                if reads is None or not _same_fields(old, new, reads):
                    old_values = func(old)
                    if old_values != values:
                        _unindex(table, key, old_values)
                        for value in values:
                            table.setdefault(value, {})[key] = new
                        continue
                _reindex(table, key, values, new)
                continue
            for value in values:
                table.setdefault(value, {})[key] = new

    def _drop(self, kind: str, key: Key, last: Obj) -> None:
        old = self._objects[kind].pop(key)
        for func, table, _reads in self._indexes[kind].values():
            _unindex(table, key, func(old))
        self._rv += 1
        self._emit(WatchEvent("DELETED", kind, last, old))

    def _emit(self, event: WatchEvent) -> None:
        pending = self._pending
        if self._dispatching or pending:  # behind the events still waiting, in order
            pending.append(event)
            if self._dispatching:
                return
            event = pending.popleft()
        self._dispatching = True
        try:
            while True:
                handlers = self._dispatch.get(event.kind)
                if handlers is None:
                    handlers = self._handlers_for(event.kind)
                for handler in handlers:
                    handler(event)
                if self._streams:
                    for kinds, queue in self._streams:
                        if kinds is None or event.kind in kinds:
                            queue.put_nowait(event)
                if not pending:
                    return
                event = pending.popleft()
        finally:
            self._dispatching = False

    def _handlers_for(self, kind: str) -> tuple[Handler, ...]:
        handlers = tuple(h for kinds, h in self._handlers if kinds is None or kind in kinds)
        self._dispatch[kind] = handlers
        return handlers

    # -- watches ------------------------------------------------------------------------
    def subscribe(self, handler: Handler, kinds: Iterable[str] | None = None) -> None:
        """Call ``handler`` synchronously for every event (of ``kinds``), in order."""
        self._handlers.append((frozenset(kinds) if kinds is not None else None, handler))
        self._dispatch = {}

    def unsubscribe(self, handler: Handler) -> None:
        """Stop calling ``handler``."""
        self._handlers = [(k, h) for k, h in self._handlers if h is not handler]
        self._dispatch = {}

    def watch(self, kinds: Iterable[str] | None = None) -> asyncio.Queue[WatchEvent]:
        """An asyncio queue that receives every event (of ``kinds``) from now on."""
        queue: asyncio.Queue[WatchEvent] = asyncio.Queue()
        self._streams.append((frozenset(kinds) if kinds is not None else None, queue))
        return queue

    def unwatch(self, queue: asyncio.Queue[WatchEvent]) -> None:
        """Stop feeding ``queue``."""
        self._streams = [(k, q) for k, q in self._streams if q is not queue]

    # -- whole-store ------------------------------------------------------------------
    def all_objects(self) -> builtins.list[Obj]:
        """Every object, kind by kind (for save files)."""
        return [obj for kind in KINDS for obj in self._objects[kind].values()]

    def state(self) -> dict[str, Any]:
        """Counters that must survive a save/load (resourceVersion, rng state)."""
        return {"resourceVersion": self._rv, "rng": list(self._rng.getstate()[1])}


def _spec_changed(kind: str, old: Obj, new: Obj) -> bool:
    """Whether the spec changed in a way that bumps metadata.generation (binding a pod to a
    node goes through the binding subresource and does not)."""
    old_spec, new_spec = old.get("spec"), new.get("spec")
    if old_spec is new_spec:
        return False  # shared with the stored version: untouched
    if kind == "Pod" and isinstance(old_spec, dict) and isinstance(new_spec, dict):
        old_spec = {k: v for k, v in old_spec.items() if k != "nodeName"}
        new_spec = {k: v for k, v in new_spec.items() if k != "nodeName"}
    return bool(old_spec != new_spec)


#: an index: its function, value → {key: object}, and the field paths the function reads
_Index = tuple[IndexFunc, dict[str, dict[Key, Obj]], "tuple[tuple[str, ...], ...] | None"]


def _same_fields(old: Obj, new: Obj, paths: tuple[tuple[str, ...], ...]) -> bool:
    """Whether every field at ``paths`` is the same object or an equal value in both."""
    for path in paths:
        a: Any = old
        b: Any = new
        for part in path:
            a = a.get(part) if type(a) is dict else None
            b = b.get(part) if type(b) is dict else None
        if a is not b and a != b:
            return False
    return True


def _reindex(table: dict[str, dict[Key, Obj]], key: Key, values: Iterable[str], new: Obj) -> None:
    """Point ``key``'s entries at ``new`` where its values did not change, in the order a
    removal and re-insertion leaves them (the key last in its buckets, a bucket it was
    alone in last in the table): readers iterate buckets and tables."""
    for value in values:
        bucket = table[value]
        if len(bucket) == 1:
            del table[value]
            table[value] = {key: new}
        else:
            del bucket[key]
            bucket[key] = new


def _unindex(table: dict[str, dict[Key, Obj]], key: Key, values: Iterable[str]) -> None:
    for value in values:
        bucket = table.get(value)
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del table[value]


def _owner_index(obj: Obj) -> list[str]:
    ref = controller_ref(obj)
    return [ref["uid"]] if ref else []


def _same(old: Obj, new: Obj) -> bool:
    """Equal apart from resourceVersion (a no-op write is not an event)."""
    if old.keys() != new.keys():
        return False
    for k, v in new.items():
        if k == "metadata":
            if not _same_metadata(old["metadata"], v):
                return False
        else:
            prior = old[k]
            if prior is not v and prior != v:
                return False
    return True


def _same_metadata(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal apart from resourceVersion (present or not)."""
    rv = "resourceVersion"
    if len(new) - (rv in new) != len(old) - (rv in old):
        return False
    missing = object()
    return all(k == rv or old.get(k, missing) == v for k, v in new.items())
