"""Garbage collector (``pkg/controller/garbagecollector/garbagecollector.go``).

The dependency graph is the store itself, indexed by *every* ownerReference uid (the store's
built-in index only covers controller references). Keys are ``<Kind>|<namespace>|<name>``.

* **attemptToDeleteItem** — for an object with ownerReferences, each owner is looked up by
  kind, namespace and name; it is *absent* when missing **or present with another uid** (a
  new object under the old name is not the owner). Owners that exist and are being deleted
  in the foreground are *waiting for dependents*. With at least one solid owner, dangling
  references are removed (and references to waiting owners unblocked); with none, the
  object is deleted — in the foreground when a waiting owner asked for it and the object
  has dependents of its own, otherwise with the policy its own finalizers ask for
  (background by default).
* **orphan** finalizer — the owner's dependents lose their ownerReference to it, then the
  finalizer is removed (and the owner disappears).
* **foregroundDeletion** finalizer — the owner's dependents are deleted; the finalizer is
  removed once no dependent with ``blockOwnerDeletion: true`` is left (pods count until their
  kubelet removes them, so a foreground delete waits for graceful termination).

Events are never touched. PVCs owned through a StatefulSet's retention policy are ordinary
dependents (their ``kubernetes.io/pvc-protection`` finalizer still holds them while in use).
"""

from __future__ import annotations

from typing import Any

from engine.controllers.base import Controller
from engine.objects import KINDS, Obj, copy_obj, is_namespaced, name_of, namespace_of, uid_of
from engine.store import NotFound, WatchEvent

INDEX = "gc-owners"
ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
_KINDS = [k for k in KINDS if k != "Event"]


def _all_owner_uids(obj: Obj) -> list[str]:
    return [r["uid"] for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid")]


def item_key(obj: Obj) -> str:
    """``Kind|namespace|name`` of an object."""
    return f"{obj['kind']}|{namespace_of(obj)}|{name_of(obj)}"


class GarbageCollector(Controller):
    """Deletes dependents whose owners are gone; runs the orphan and foreground finalizers."""

    name = "garbage-collector"

    def setup(self) -> None:
        """Index every kind by owner uid and watch everything but Events."""
        for kind in _KINDS:
            if not self.store.has_index(kind, INDEX):
                self.store.add_index(kind, INDEX, _all_owner_uids)
        self.store.subscribe(self._on_event, _KINDS)

    def _on_event(self, ev: WatchEvent) -> None:
        obj = ev.obj
        if ev.type == "DELETED":
            for dep in self.dependents(uid_of(obj)):
                self.enqueue(item_key(dep))
            for uid in _all_owner_uids(obj):  # an owner may be waiting for this one
                for owner in self._owners_by_uid(obj, uid):
                    self.enqueue(item_key(owner))
            return
        finalizers = obj["metadata"].get("finalizers") or []
        if obj["metadata"].get("ownerReferences") or (
            obj["metadata"].get("deletionTimestamp")
            and (ORPHAN in finalizers or FOREGROUND in finalizers)
        ):
            self.enqueue(item_key(obj))

    def dependents(self, owner_uid: str) -> list[Obj]:
        """Objects of any kind with an ownerReference to ``owner_uid``."""
        return [dep for kind in _KINDS for dep in self.store.by_index(kind, INDEX, owner_uid)]

    def _owners_by_uid(self, dependent: Obj, uid: str) -> list[Obj]:
        owners = []
        for ref in dependent["metadata"].get("ownerReferences") or []:
            if ref.get("uid") == uid:
                owner = self._lookup(ref, namespace_of(dependent))
                if owner is not None and uid_of(owner) == uid:
                    owners.append(owner)
        return owners

    def _lookup(self, ref: dict[str, Any], namespace: str) -> Obj | None:
        kind = str(ref.get("kind", ""))
        if kind not in KINDS:
            return None
        return self.store.get(kind, namespace if is_namespaced(kind) else "", str(ref["name"]))

    # -- sync ---------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Process one object: its own deletion finalizers, then its owners."""
        kind, ns, name = key.split("|", 2)
        obj = self.store.get(kind, ns, name)
        if obj is None:
            return
        finalizers = obj["metadata"].get("finalizers") or []
        if obj["metadata"].get("deletionTimestamp"):
            if ORPHAN in finalizers:
                self._orphan_dependents(obj)
                obj = self._remove_finalizer(obj, ORPHAN)
            elif FOREGROUND in finalizers:
                obj = self._process_foreground(obj)
            if obj is None:
                return
        if obj["metadata"].get("ownerReferences"):
            self._attempt_to_delete(obj)

    def _remove_finalizer(self, obj: Obj, finalizer: str) -> Obj | None:
        new = copy_obj(obj)
        rest = [f for f in new["metadata"].get("finalizers") or [] if f != finalizer]
        if rest:
            new["metadata"]["finalizers"] = rest
        else:
            new["metadata"].pop("finalizers", None)
        self.store.update(new)
        return self.store.get(obj["kind"], namespace_of(obj), name_of(obj))

    def _orphan_dependents(self, owner: Obj) -> None:
        uid = uid_of(owner)
        for dep in self.dependents(uid):
            new = copy_obj(dep)
            refs = [r for r in new["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            if refs:
                new["metadata"]["ownerReferences"] = refs
            else:
                new["metadata"].pop("ownerReferences", None)
            self.store.update(new)

    def _process_foreground(self, owner: Obj) -> Obj | None:
        uid = uid_of(owner)
        deps = self.dependents(uid)
        blocking = [
            d
            for d in deps
            if any(
                r.get("uid") == uid and r.get("blockOwnerDeletion")
                for r in d["metadata"].get("ownerReferences") or []
            )
        ]
        if not blocking:
            return self._remove_finalizer(owner, FOREGROUND)
        for dep in deps:
            if not dep["metadata"].get("deletionTimestamp"):
                self.enqueue(item_key(dep))
        return owner

    def _attempt_to_delete(self, obj: Obj) -> None:
        solid, dangling, waiting = [], [], []
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref.get("kind") not in KINDS:
                solid.append(ref)  # a kind this cluster does not serve: never guess "gone"
                continue
            owner = self._lookup(ref, namespace_of(obj))
            if owner is None or uid_of(owner) != ref.get("uid"):
                dangling.append(ref)
            elif owner["metadata"].get("deletionTimestamp") and FOREGROUND in (
                owner["metadata"].get("finalizers") or []
            ):
                waiting.append(ref)
            else:
                solid.append(ref)
        if solid:
            if dangling or waiting:
                self._patch_refs(obj, dangling, waiting)
            return
        if obj["metadata"].get("deletionTimestamp"):
            return
        if waiting and self.dependents(uid_of(obj)):
            policy = "Foreground"
        else:
            finalizers = obj["metadata"].get("finalizers") or []
            policy = (
                "Orphan"
                if ORPHAN in finalizers
                else ("Foreground" if FOREGROUND in finalizers else "Background")
            )
        try:
            self.store.delete(obj["kind"], namespace_of(obj), name_of(obj), propagation=policy)
        except NotFound:
            return

    def _patch_refs(
        self, obj: Obj, dangling: list[dict[str, Any]], waiting: list[dict[str, Any]]
    ) -> None:
        """Drop references to absent owners; unblock references to owners being deleted."""
        gone = {r.get("uid") for r in dangling}
        unblock = {r.get("uid") for r in waiting}
        new = copy_obj(obj)
        refs = []
        for ref in new["metadata"].get("ownerReferences") or []:
            if ref.get("uid") in gone:
                continue
            if ref.get("uid") in unblock and ref.get("blockOwnerDeletion"):
                ref["blockOwnerDeletion"] = False
            refs.append(ref)
        new["metadata"]["ownerReferences"] = refs
        self.store.update(new)
