"""persistentVolumeClaimRetentionPolicy as ownerReferences on the claims (STS-UTIL).

The controller never deletes a PVC itself. It expresses the policy by making the StatefulSet
and/or the pod the claim's controller owner, and the garbage collector deletes a claim whose
owner is gone:

========================  ==============================================================
whenScaled / whenDeleted  ownerReferences on the claim
========================  ==============================================================
Retain / Retain           none
Retain / Delete           the StatefulSet
Delete / Retain           the pod, only once the pod is condemned (scaled away)
Delete / Delete           the StatefulSet while the pod is in range; the pod once condemned
========================  ==============================================================

A reference that names our set or pod but carries another UID is *stale* (left by an earlier
incarnation): such claims are left alone, and with whenScaled=Delete a claim still owned by an
old pod blocks the creation of the new pod until the collector removes it.
"""

from __future__ import annotations

from typing import Any

from engine.controllers.statefulset import identity, spec
from engine.objects import Obj, name_of, owner_reference, uid_of

Ref = dict[str, Any]


def _refs(claim: Obj) -> list[Ref]:
    refs: list[Ref] = claim["metadata"].get("ownerReferences") or []
    return refs


def _matches(ref: Ref, obj: Obj, api_version: str, kind: str) -> bool:
    """Same apiVersion, kind and name (the UID is not compared)."""
    return (
        ref.get("apiVersion") == api_version
        and ref.get("kind") == kind
        and ref.get("name") == name_of(obj)
    )


def _is_set_ref(ref: Ref, sts: Obj) -> bool:
    return _matches(ref, sts, "apps/v1", "StatefulSet")


def _is_pod_ref(ref: Ref, pod: Obj) -> bool:
    return _matches(ref, pod, "v1", "Pod")


def has_owner_ref(claim: Obj, owner: Obj) -> bool:
    """Some ownerReference has the owner's UID."""
    return any(ref.get("uid") == uid_of(owner) for ref in _refs(claim))


def has_stale_owner_ref(claim: Obj, obj: Obj, api_version: str, kind: str) -> bool:
    """The first reference naming ``obj`` carries a different UID."""
    for ref in _refs(claim):
        if _matches(ref, obj, api_version, kind):
            return ref.get("uid") != uid_of(obj)
    return False


def claim_is_stale_for_pod(claim: Obj, pod: Obj) -> bool:
    """The claim is owned by an earlier pod of the same name."""
    return has_stale_owner_ref(claim, pod, "v1", "Pod")


def has_unexpected_controller(claim: Obj, sts: Obj, pod: Obj) -> bool:
    """Under a non-Retain policy, the claim is controlled by someone other than us."""
    if spec.retention_policy(sts) == (spec.RETAIN, spec.RETAIN):
        return False
    for ref in _refs(claim):
        if _is_set_ref(ref, sts):
            if ref.get("uid") != uid_of(sts):
                return True
            continue
        if _is_pod_ref(ref, pod):
            if ref.get("uid") != uid_of(pod):
                return True
            continue
        if ref.get("controller"):
            return True
    return False


def _has_non_controller_owner(claim: Obj, sts: Obj, pod: Obj) -> bool:
    return any(
        ref.get("uid") in (uid_of(sts), uid_of(pod)) and not ref.get("controller")
        for ref in _refs(claim)
    )


def is_claim_owner_up_to_date(claim: Obj, sts: Obj, pod: Obj) -> bool:
    """The claim's ownerReferences already express the policy (stale or foreign: hands off)."""
    if has_stale_owner_ref(claim, sts, "apps/v1", "StatefulSet") or claim_is_stale_for_pod(
        claim, pod
    ):
        return True
    if has_unexpected_controller(claim, sts, pod):
        return not (has_owner_ref(claim, sts) or has_owner_ref(claim, pod))
    if _has_non_controller_owner(claim, sts, pod):
        return False
    want_set, want_pod = _wanted_owners(sts, pod)
    return has_owner_ref(claim, sts) == want_set and has_owner_ref(claim, pod) == want_pod


def _wanted_owners(sts: Obj, pod: Obj) -> tuple[bool, bool]:
    """(set owns the claim, pod owns the claim) under the set's policy."""
    when_deleted, when_scaled = spec.retention_policy(sts)
    delete_on_scale = when_scaled == spec.DELETE
    if when_deleted == spec.DELETE and not delete_on_scale:
        return True, False
    if not delete_on_scale:
        return False, False  # Retain/Retain, and unknown values are treated as Retain
    scaled_down = not identity.in_ordinal_range(pod, sts)
    if when_deleted == spec.DELETE:
        return not scaled_down, scaled_down
    return False, scaled_down


def update_claim_owner_refs(claim: Obj, sts: Obj, pod: Obj) -> None:
    """Rewrite (in place) the claim's references to our set and pod to match the policy."""
    unexpected = has_unexpected_controller(claim, sts, pod)
    refs = [r for r in _refs(claim) if not (_is_set_ref(r, sts) or _is_pod_ref(r, pod))]
    if not unexpected:
        want_set, want_pod = _wanted_owners(sts, pod)
        if want_pod:
            refs = _add_controller_ref(refs, pod)
        if want_set:
            refs = _add_controller_ref(refs, sts)
    if refs:
        claim["metadata"]["ownerReferences"] = refs
    else:
        claim["metadata"].pop("ownerReferences", None)


def _add_controller_ref(refs: list[Ref], owner: Obj) -> list[Ref]:
    if any(ref.get("uid") == uid_of(owner) for ref in refs):
        return refs
    return [*refs, owner_reference(owner)]
