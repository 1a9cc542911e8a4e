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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.controllers.statefulset.roster import Roster

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

    def valid_for(self, context: Context, spec: Any) -> bool:
        """The roster may be kept for a sync under ``context`` and ``spec``."""
        return (
            self.roster is not None
            and self.context == context
            and (self.spec is spec or self.spec == spec)
        )

    def keep(self, roster: Roster, context: Context, spec: Any, templates: list[str]) -> None:
        """Keep a freshly built roster (irregular ones are not kept)."""
        self.roster = None if roster.irregular else roster
        self.context = context
        self.spec = spec
        self.claim_prefixes = [f"{t}-{self.name}-" for t in templates]

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

    def pod_changed(self, namespace: str, name: str) -> None:
        """A pod changed: dirty in every kept set of its namespace."""
        for kept in self._by_namespace.get(namespace, {}).values():
            kept.dirty[name] = None

    def claim_changed(self, namespace: str, name: str) -> None:
        """A claim changed: its ordinal is suspect in the sets it belongs to."""
        for kept in self._by_namespace.get(namespace, {}).values():
            kept.mark_claim(name)
