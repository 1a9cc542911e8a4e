"""What the StatefulSet controller keeps of each set between syncs, so a sync costs what changed.

For every set it has synced, the controller keeps a :class:`Kept`: the set's
:class:`~engine.controllers.statefulset.roster.Roster`, the *context* the roster's verdicts
were reached under, and the names of the pods that changed since the last sync.

* Every Pod event in the namespace marks the pod's name *dirty* in every kept set of that
  namespace (whoever owns it: ownership itself may have changed). The next sync re-reads only
  those pods from the store, adopts or releases them as a full scan would, and updates the
  roster, which makes their ordinals suspects.
* Every PersistentVolumeClaim event marks the ordinal the claim's name belongs to
  (``<template>-<set>-<ordinal>``) suspect at once.
* Anything else a verdict reads — the set's uid, spec, deletion, current and update revision —
  is the context: when it differs from the kept one the roster is thrown away and rebuilt from
  a full scan (every pod a suspect). So are rosters that cannot be kept (two pods of one
  ordinal, see :attr:`Roster.irregular`).

Settled sets. Most events about a set's pods change nothing the sync reads: a pod is bound
to a node, gets an IP, its containers start, its claim is bound to a volume. A sync that
wrote nothing (or only the status it had computed) leaves the set *settled*: :attr:`Kept.settled`
records what that sync depended on beyond the events (the set object it read, the volatile
inputs: the pod quota's room and the Available count at the current time) and what it left
behind (when to look again for minReadySeconds). Until an event changes something a sync
reads (:func:`pod_change_matters`, :func:`claim_change_matters`, any event about the set or a
ControllerRevision of its namespace), a sync of a settled set would do exactly what the last
one did, which was nothing: the controller skips it. The skipped sync is still dequeued in
its place, so the order of everything else is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.controllers.statefulset.roster import Roster
from engine.objects import Obj, pod_condition, pod_phase
from engine.store import WatchEvent

#: (uid, deletionTimestamp, current revision, update revision) of the set
Context = tuple[str, Any, str, str]


@dataclass
class Kept:
    """The kept state of one StatefulSet."""

    namespace: str
    name: str
    roster: Roster | None = None
    context: Context | None = None
    #: the spec the roster was built for (store values are never changed in place)
    spec: Any = None
    #: pod names changed since the last sync, in event order
    dirty: dict[str, None] = field(default_factory=dict)
    #: ``<template>-<set>-`` for each claim template
    claim_prefixes: list[str] = field(default_factory=list)
    #: after a sync that changed nothing: (the set object it read, its volatile inputs, when
    #: to look again); None once anything the sync reads changed (see the module docstring)
    settled: tuple[Obj, Any, float | None] | None = None

    def valid_for(self, context: Context, spec: Any) -> bool:
        """The roster may be kept for a sync under ``context`` and ``spec``."""
        return (
            self.roster is not None
            and self.context == context
            and (self.spec is spec or self.spec == spec)
        )

    def keep(self, roster: Roster, context: Context, spec: Any) -> None:
        """Keep a freshly built roster (irregular ones are not kept) built for ``spec``."""
        self.roster = None if roster.irregular else roster
        self.context = context
        self.spec = spec
        templates = (spec or {}).get("volumeClaimTemplates") or []
        names = [(t.get("metadata") or {}).get("name") for t in templates if isinstance(t, dict)]
        self.claim_prefixes = [f"{n}-{self.name}-" for n in names if n]

    def mark_claim(self, claim_name: str) -> None:
        """A claim changed: its ordinal becomes a suspect."""
        if self.roster is None:
            return
        for prefix in self.claim_prefixes:
            if claim_name.startswith(prefix):
                suffix = claim_name[len(prefix) :]
                if suffix.isascii() and suffix.isdigit() and str(int(suffix)) == suffix:
                    self.roster.suspects.add(int(suffix))

    def take_dirty(self) -> list[str]:
        """The dirty pod names, cleared."""
        names = list(self.dirty)
        self.dirty.clear()
        return names


class Tracker:
    """The kept state of every synced set, by key and by namespace."""

    def __init__(self) -> None:
        self._by_key: dict[str, Kept] = {}
        self._by_namespace: dict[str, dict[str, Kept]] = {}

    def get(self, key: str, namespace: str, name: str) -> Kept:
        """The kept state of set ``key`` (created empty on first use)."""
        kept = self._by_key.get(key)
        if kept is None:
            kept = self._by_key[key] = Kept(namespace, name)
            self._by_namespace.setdefault(namespace, {})[key] = kept
        return kept

    def forget(self, key: str) -> None:
        """Drop the kept state of a set that is gone."""
        kept = self._by_key.pop(key, None)
        if kept is not None:
            in_namespace = self._by_namespace[kept.namespace]
            del in_namespace[key]
            if not in_namespace:
                del self._by_namespace[kept.namespace]

    def peek(self, key: str) -> Kept | None:
        """The kept state of set ``key``, if it was synced."""
        return self._by_key.get(key)

    def pod_changed(self, namespace: str, name: str, matters: bool = True) -> None:
        """A pod changed: dirty in every kept set of its namespace, which are no longer settled
        when the change ``matters``."""
        for kept in self._by_namespace.get(namespace, {}).values():
            kept.dirty[name] = None
            if matters:
                kept.settled = None

    def claim_changed(self, namespace: str, name: str, matters: bool = True) -> None:
        """A claim changed: when the change ``matters``, its ordinal is suspect in the sets it
        belongs to and no set of the namespace is settled."""
        if not matters:
            return
        for kept in self._by_namespace.get(namespace, {}).values():
            kept.mark_claim(name)
            kept.settled = None

    def unsettle(self, namespace: str) -> None:
        """Something every set of ``namespace`` may read changed (a ControllerRevision)."""
        for kept in self._by_namespace.get(namespace, {}).values():
            kept.settled = None


#: the metadata of a pod or claim that a sync reads (name and namespace never change)
_READ_METADATA = ("uid", "labels", "ownerReferences", "deletionTimestamp")


def _metadata_differs(old: Obj, new: Obj) -> bool:
    old_md, new_md = old["metadata"], new["metadata"]
    return any(old_md.get(k) != new_md.get(k) for k in _READ_METADATA)


def _ready_since(pod: Obj) -> tuple[bool, Any]:
    """Whether the Ready condition is True, and since when."""
    cond = pod_condition(pod, "Ready")
    if cond is None or cond.get("status") != "True":
        return False, None
    return True, cond.get("lastTransitionTime")


def _phase(pod: Obj) -> str:
    phase = pod_phase(pod)
    return "Pending" if phase == "" else phase


def pod_change_matters(ev: WatchEvent) -> bool:
    """The pod event changes something a sync reads: the pod came or went; its uid, labels,
    ownerReferences, deletionTimestamp or volumes changed; it turned Ready or unready (or its
    Ready time changed); its phase changed, except from Pending to Running without a True Ready
    condition. A binding, an IP, container states do not matter.

    Pending to Running changes one verdict: a Pending pod's missing claims are created
    (``claims``), a Running one's are not. The last sync, which wrote nothing, found none
    missing, and dropping an action that did nothing changes nothing. The other way round a
    claim deleted while the pod ran would be created: that change matters.
    """
    old, new = ev.old, ev.obj
    if ev.type != "MODIFIED" or old is None or _metadata_differs(old, new):
        return True
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    if old_spec is not new_spec and old_spec.get("volumes") != new_spec.get("volumes"):
        return True
    if old.get("status") is new.get("status"):
        return False
    ready = _ready_since(new)
    if _ready_since(old) != ready:
        return True
    old_phase, new_phase = _phase(old), _phase(new)
    if old_phase == new_phase:
        return False
    # Running with a True Ready condition is Running and Ready: that matters
    return (old_phase, new_phase) != ("Pending", "Running") or ready[0]


def claim_change_matters(ev: WatchEvent) -> bool:
    """The claim event changes something a sync reads: the claim came or went, or its uid,
    labels, ownerReferences or deletionTimestamp changed (binding and finalizers do not)."""
    return ev.type != "MODIFIED" or ev.old is None or _metadata_differs(ev.old, ev.obj)
