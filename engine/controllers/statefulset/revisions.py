"""ControllerRevisions: the StatefulSet's template history (HISTORY, STS-CTRL, STS-UTIL).

Every distinct pod template becomes a ControllerRevision ``<set>-<hash>`` whose ``data`` is the
strategic-merge patch that restores it, ``{"spec":{"template":{"$patch":"replace", …}}}``,
serialised as Go's ``json.Marshal`` of a map does (keys sorted at every level, no spaces,
``<``/``>``/``&`` escaped). The hash is ``SafeEncodeString(decimal(fnv32(data + collisionCount)))``,
so the names match a real cluster for the same (defaulted) template: the 1.34 compatibility
fixture's data hashes to ``test-776999688b``.

``status.updateRevision`` is the revision of the current template; ``status.currentRevision``
the one pods were at before. A template that reverts to an earlier one reuses that revision (its
``revision`` number is bumped). Non-live revisions beyond ``revisionHistoryLimit`` are deleted,
oldest first.

:class:`History` holds the store writes (the ``history.Interface``); the rest is pure.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from engine.controllers.statefulset import spec
from engine.objects import (
    Obj,
    controller_ref,
    copy_obj,
    labels_of,
    name_of,
    namespace_of,
    owner_reference,
    uid_of,
)
from engine.selectors import Matcher, from_label_selector
from engine.store import AlreadyExists, NotFound, Store

#: Label on a ControllerRevision with the hash of its data.
HASH_LABEL = "controller.kubernetes.io/hash"
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
_INT32_MAX = 2**31 - 1


# -- hashing -------------------------------------------------------------------------------
def go_json(value: Any) -> bytes:
    """``json.Marshal`` of a decoded JSON value in Go: sorted keys, compact, HTML-safe."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text.encode()


def fnv32(data: bytes) -> int:
    """FNV-1 32-bit (Go ``hash/fnv.New32``)."""
    value = 0x811C9DC5
    for byte in data:
        value = (value * 0x01000193) & 0xFFFFFFFF
        value ^= byte
    return value


def safe_encode(text: str) -> str:
    """apimachinery ``rand.SafeEncodeString``: no vowels, so no bad words."""
    return "".join(_ALPHANUMS[ord(char) % len(_ALPHANUMS)] for char in text)


def hash_data(data: Any, collision_count: int | None) -> str:
    """``HashControllerRevision``: the revision name suffix for ``data``."""
    raw = go_json(data)
    if collision_count is not None:
        raw += str(collision_count).encode()
    return safe_encode(str(fnv32(raw)))


def revision_patch(sts: Obj) -> dict[str, Any]:
    """STS-UTIL ``getPatch``: the patch that restores ``sts``'s pod template."""
    template = copy_obj(spec.template(sts))
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


# -- revision objects --------------------------------------------------------------------------
def new_revision(sts: Obj, number: int, collision_count: int) -> Obj:
    """STS-UTIL ``newRevision``: the ControllerRevision for ``sts``'s current template."""
    data = revision_patch(sts)
    digest = hash_data(data, collision_count)
    labels = dict((spec.template(sts).get("metadata") or {}).get("labels") or {})
    labels[HASH_LABEL] = digest
    md: dict[str, Any] = {
        "name": f"{name_of(sts)[:223]}-{digest}",
        "namespace": namespace_of(sts),
        "labels": labels,
        "ownerReferences": [owner_reference(sts)],
    }
    annotations = sts["metadata"].get("annotations")
    if annotations:
        md["annotations"] = copy_obj(annotations)
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": md,
        "data": data,
        "revision": number,
    }


def _label_hash(rev: Obj) -> int | None:
    value = labels_of(rev).get(HASH_LABEL)
    if value is None or not value.isdigit() or int(value) > _INT32_MAX:
        return None
    return int(value)


def equal_revision(lhs: Obj, rhs: Obj) -> bool:
    """HISTORY ``EqualRevision``: same data (a parseable, different hash label says no)."""
    lh, rh = _label_hash(lhs), _label_hash(rhs)
    if lh is not None and rh is not None and lh != rh:
        return False
    return go_json(lhs.get("data")) == go_json(rhs.get("data"))


def sort_revisions(revisions: list[Obj]) -> list[Obj]:
    """By ``revision``, then creationTimestamp, then name."""
    return sorted(
        revisions,
        key=lambda r: (
            int(r.get("revision", 0)),
            r["metadata"].get("creationTimestamp", ""),
            name_of(r),
        ),
    )


def next_revision_number(revisions: list[Obj]) -> int:
    """1 + the highest ``revision`` (1 when there is none); ``revisions`` sorted."""
    return int(revisions[-1].get("revision", 0)) + 1 if revisions else 1


def apply_revision(sts: Obj, revision: Obj) -> Obj:
    """A copy of ``sts`` whose pod template is the one recorded in ``revision``."""
    restored = copy_obj(sts)
    template = copy_obj(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    restored.setdefault("spec", {})["template"] = template
    return restored


def with_revision(sts: Obj, revision: Obj) -> Obj:
    """``sts`` with the pod template recorded in ``revision``, sharing every other value with
    ``sts`` and the template's values with ``revision``: a read-only view, as cheap as the
    top-level dicts (:func:`apply_revision` is the deep copy)."""
    recorded = ((revision.get("data") or {}).get("spec") or {}).get("template") or {}
    template = {k: v for k, v in recorded.items() if k != "$patch"}
    return {**sts, "spec": {**(sts.get("spec") or {}), "template": template}}


# -- store writes -------------------------------------------------------------------------------
class History:
    """ControllerRevision reads and writes for one store (HISTORY ``realHistory``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, sts: Obj, matcher: Matcher | None = None) -> list[Obj]:
        """Revisions matching the set's selector (``matcher``, when already compiled), owned by
        it or by no controller."""
        if matcher is None:
            matcher = from_label_selector(spec.selector(sts))
        owned = []
        for rev in self.store.list("ControllerRevision", namespace_of(sts), matcher):
            ref = controller_ref(rev)
            if ref is None or ref.get("uid") == uid_of(sts):
                owned.append(rev)
        return owned

    def adopt(self, sts: Obj, revision: Obj) -> Obj:
        """Make ``sts`` the controller owner of an orphaned revision."""
        updated = copy_obj(revision)
        refs = updated["metadata"].setdefault("ownerReferences", [])
        refs.append(owner_reference(sts))
        return self.store.update(updated)

    def create(self, sts: Obj, revision: Obj, collision_count: int) -> tuple[Obj, int]:
        """Create ``revision``, renaming on a hash collision; returns (stored, collisionCount)."""
        clone = copy_obj(revision)
        while True:
            digest = hash_data(revision["data"], collision_count)
            clone["metadata"]["name"] = f"{name_of(sts)[:223]}-{digest}"
            clone["metadata"]["labels"][HASH_LABEL] = digest
            try:
                return self.store.create(clone), collision_count
            except AlreadyExists:
                existing = self.store.must_get(
                    "ControllerRevision", namespace_of(sts), name_of(clone)
                )
                if go_json(existing.get("data")) == go_json(clone["data"]):
                    return existing, collision_count
                collision_count += 1

    def renumber(self, revision: Obj, number: int) -> Obj:
        """Set the ``revision`` number (a rollback to an earlier template)."""
        if int(revision.get("revision", 0)) == number:
            return revision
        updated = copy_obj(revision)
        updated["revision"] = number
        return self.store.update(updated)

    def delete(self, revision: Obj) -> None:
        """Delete a revision (already gone is fine)."""
        with contextlib.suppress(NotFound):
            self.store.delete("ControllerRevision", namespace_of(revision), name_of(revision))


@dataclass(frozen=True)
class Revisions:
    """The outcome of :func:`resolve`: current and update revision, and the collision count."""

    current: Obj
    update: Obj
    collision_count: int


def resolve(history: History, sts: Obj, revisions: list[Obj]) -> Revisions:
    """STS-CTRL ``getStatefulSetRevisions``: find or create the update revision (``revisions``
    sorted), and the current revision named by ``status.currentRevision``."""
    status = sts.get("status") or {}
    collision_count = int(status.get("collisionCount") or 0)
    candidate = new_revision(sts, next_revision_number(revisions), collision_count)
    equal = [r for r in revisions if equal_revision(r, candidate)]
    if equal and equal_revision(revisions[-1], equal[-1]):
        update = revisions[-1]
    elif equal:
        update = history.renumber(equal[-1], int(candidate["revision"]))
    else:
        update, collision_count = history.create(sts, candidate, collision_count)
    current = next((r for r in revisions if name_of(r) == status.get("currentRevision")), update)
    return Revisions(current, update, collision_count)


def truncate(
    history: History,
    sts: Obj,
    pod_revisions: set[str],
    revisions: list[Obj],
    live: Revisions | None,
) -> None:
    """Delete the oldest non-live revisions beyond ``revisionHistoryLimit``.

    Live: the current and update revisions and every revision a pod is labelled with
    (``pod_revisions``).
    """
    keep = set(pod_revisions)
    if live is not None:
        keep |= {name_of(live.current), name_of(live.update)}
    old = [r for r in revisions if name_of(r) not in keep]
    excess = len(old) - spec.revision_history_limit(sts)
    for revision in old[: max(0, excess)]:
        history.delete(revision)
