"""The pure vocabulary of the StatefulSet controller (STS-UTIL, stateful_set_utils.go).

Names (``web-0``, ``www-web-0``), ordinals parsed back from pod names, the identity and storage
a pod of a set must have, building a new pod from a (revisioned) template, and the pod
predicates the algorithm is written in (Running and Ready, Available, Terminating …).

Nothing here reads the store or the clock: "now" is passed in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from engine.controllers.statefulset import spec
from engine.objects import (
    Obj,
    copy_obj,
    is_pod_ready,
    labels_of,
    name_of,
    namespace_of,
    owner_reference,
    pod_condition,
    pod_phase,
)

#: Label with the ControllerRevision name a pod was created from.
REVISION_LABEL = "controller-revision-hash"
#: Label with the pod's own name (used by per-pod Services).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
#: Label with the pod's ordinal (PodIndexLabel, GA 1.32).
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"

_POD_NAME = re.compile(r"^(.*)-([0-9]+)$")
_INT32_MAX = 2**31 - 1


# -- names and ordinals -----------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 16)
def parent_and_ordinal(pod_name_: str) -> tuple[str, int]:
    """Split ``web-12`` into ("web", 12); ("", -1) when the name has no ordinal suffix.

    Remembered per name: the controller asks about the same few names over and over."""
    match = _POD_NAME.match(pod_name_)
    if not match:
        return "", -1
    ordinal = int(match.group(2))
    if ordinal > _INT32_MAX:  # strconv.ParseInt(…, 10, 32) fails: the name has no ordinal
        return match.group(1), -1
    return match.group(1), ordinal


def ordinal_of(pod: Obj) -> int:
    """The pod's ordinal parsed from its name, or -1."""
    return parent_and_ordinal(name_of(pod))[1]


def pod_name(sts: Obj, ordinal: int) -> str:
    """``<set>-<ordinal>``."""
    return f"{name_of(sts)}-{ordinal}"


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    """``<claim template>-<set>-<ordinal>`` (``www-web-0``)."""
    return f"{template_name}-{set_name}-{ordinal}"


def is_member(sts: Obj, pod: Obj) -> bool:
    """The pod's name is ``<set name>-<ordinal>``."""
    parent, ordinal = parent_and_ordinal(name_of(pod))
    return ordinal >= 0 and parent == name_of(sts)


def in_ordinal_range(pod: Obj, sts: Obj) -> bool:
    """The pod's ordinal lies in ``[start, start + replicas)``."""
    ordinal = ordinal_of(pod)
    return spec.start_ordinal(sts) <= ordinal <= spec.end_ordinal(sts)


def pod_revision(pod: Obj) -> str:
    """The controller-revision-hash label ("" when absent)."""
    return labels_of(pod).get(REVISION_LABEL, "")


# -- identity and storage ----------------------------------------------------------------
def identity_matches(sts: Obj, pod: Obj) -> bool:
    """The pod has the name, namespace and pod-name label of a member of ``sts``."""
    parent, ordinal = parent_and_ordinal(name_of(pod))
    return (
        ordinal >= 0
        and parent == name_of(sts)
        and name_of(pod) == pod_name(sts, ordinal)
        and namespace_of(pod) == namespace_of(sts)
        and labels_of(pod).get(POD_NAME_LABEL) == name_of(pod)
    )


def storage_matches(sts: Obj, pod: Obj) -> bool:
    """Every claim template has a pod volume of its name pointing at the ordinal's claim."""
    ordinal = ordinal_of(pod)
    if ordinal < 0:
        return False
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for template in spec.claim_templates(sts):
        tname = template["metadata"]["name"]
        source = (volumes.get(tname) or {}).get("persistentVolumeClaim")
        if not source or source.get("claimName") != claim_name(tname, name_of(sts), ordinal):
            return False
    return True


def update_identity(sts: Obj, pod: Obj) -> None:
    """Give ``pod`` (in place) its name, namespace, pod-name and pod-index labels."""
    ordinal = ordinal_of(pod)
    md = pod["metadata"]
    md["name"] = pod_name(sts, ordinal)
    md["namespace"] = namespace_of(sts)
    labels = md.setdefault("labels", {})
    labels[POD_NAME_LABEL] = md["name"]
    labels[POD_INDEX_LABEL] = str(ordinal)


def init_identity(sts: Obj, pod: Obj) -> None:
    """Identity plus the fields set only at creation: spec.hostname and spec.subdomain."""
    update_identity(sts, pod)
    pod["spec"]["hostname"] = name_of(pod)
    pod["spec"]["subdomain"] = spec.service_name(sts)


def claim_names(sts: Obj, ordinal: int) -> list[str]:
    """Names of the ordinal's claims, in template order."""
    return [
        claim_name(t["metadata"]["name"], name_of(sts), ordinal) for t in spec.claim_templates(sts)
    ]


def claims_for(sts: Obj, ordinal: int) -> dict[str, Obj]:
    """The PersistentVolumeClaims of ordinal, by template name, in template order.

    Labels are the template's labels plus ``spec.selector.matchLabels`` (STS-UTIL
    ``getPersistentVolumeClaims``).
    """
    claims: dict[str, Obj] = {}
    for template in spec.claim_templates(sts):
        tmd = template.get("metadata") or {}
        md: dict[str, Any] = {
            "name": claim_name(tmd["name"], name_of(sts), ordinal),
            "namespace": namespace_of(sts),
        }
        labels = {**(tmd.get("labels") or {}), **spec.match_labels(sts)}
        if labels:
            md["labels"] = labels
        if tmd.get("annotations"):
            md["annotations"] = copy_obj(tmd["annotations"])
        claim: Obj = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": md,
            "spec": copy_obj(template.get("spec") or {}),
        }
        claims[tmd["name"]] = claim
    return claims


def update_storage(sts: Obj, pod: Obj) -> None:
    """Point pod volumes (in place) at the ordinal's claims; template-named volumes are replaced."""
    claims = claims_for(sts, ordinal_of(pod))
    volumes: list[Obj] = [
        {"name": tname, "persistentVolumeClaim": {"claimName": name_of(claim)}}
        for tname, claim in claims.items()
    ]
    pod_spec = pod.setdefault("spec", {})
    volumes += [v for v in pod_spec.get("volumes") or [] if v.get("name") not in claims]
    if volumes:
        pod_spec["volumes"] = volumes


# -- new pods -----------------------------------------------------------------------------
def new_pod(sts: Obj, ordinal: int) -> Obj:
    """A pod for ``ordinal`` from ``sts``'s template (controller.GetPodFromTemplate + identity)."""
    template = spec.template(sts)
    tmd = template.get("metadata") or {}
    md: dict[str, Any] = {
        "name": pod_name(sts, ordinal),
        "generateName": f"{name_of(sts)}-",
        "namespace": namespace_of(sts),
        "labels": copy_obj(tmd.get("labels") or {}),
    }
    if tmd.get("annotations"):
        md["annotations"] = copy_obj(tmd["annotations"])
    if tmd.get("finalizers"):
        md["finalizers"] = list(tmd["finalizers"])
    md["ownerReferences"] = [owner_reference(sts)]
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": md,
        "spec": copy_obj(template.get("spec") or {}),
    }
    init_identity(sts, pod)
    update_storage(sts, pod)
    return pod


def set_pod_revision(pod: Obj, revision: str) -> None:
    """Label ``pod`` (in place) with its controller-revision-hash."""
    pod["metadata"].setdefault("labels", {})[REVISION_LABEL] = revision


def at_current_revision(current_set: Obj, ordinal: int) -> bool:
    """A missing ordinal is recreated at the current revision: RollingUpdate and the ordinal is
    below ``start + partition`` (STS-UTIL ``newVersionedStatefulSetPod``)."""
    below_partition = ordinal < spec.start_ordinal(current_set) + spec.partition(current_set)
    return spec.update_strategy_type(current_set) == spec.ROLLING_UPDATE and below_partition


def new_versioned_pod(
    current_set: Obj, update_set: Obj, current_revision: str, update_revision: str, ordinal: int
) -> Obj:
    """The pod to create for a missing ordinal: at the current revision when RollingUpdate and the
    ordinal is below ``start + partition``, else at the update revision (OnDelete: always)."""
    if at_current_revision(current_set, ordinal):
        pod = new_pod(current_set, ordinal)
        set_pod_revision(pod, current_revision)
    else:
        pod = new_pod(update_set, ordinal)
        set_pod_revision(pod, update_revision)
    labels = pod["metadata"]["labels"]
    pod["metadata"]["labels"] = {k: labels[k] for k in sorted(labels)}
    return pod


# -- pod predicates -------------------------------------------------------------------------
def is_created(pod: Obj) -> bool:
    """The pod exists in the store (a planned pod has no uid yet)."""
    return bool(pod["metadata"].get("uid"))


def is_pending(pod: Obj) -> bool:
    """Created and phase Pending (or not yet set by anyone)."""
    return is_created(pod) and pod_phase(pod) in ("", "Pending")


def is_failed(pod: Obj) -> bool:
    """Phase Failed."""
    return pod_phase(pod) == "Failed"


def is_succeeded(pod: Obj) -> bool:
    """Phase Succeeded."""
    return pod_phase(pod) == "Succeeded"


def is_terminating(pod: Obj) -> bool:
    """deletionTimestamp is set."""
    return pod["metadata"].get("deletionTimestamp") is not None


def is_running_and_ready(pod: Obj) -> bool:
    """Phase Running and the Ready condition True."""
    return pod_phase(pod) == "Running" and is_pod_ready(pod)


def ready_since(pod: Obj, parse: Callable[[str], float]) -> float | None:
    """Clock time of a True Ready condition's lastTransitionTime (None when not ready, or when
    the time is missing or unreadable: a zero time, never Available with minReadySeconds)."""
    cond = pod_condition(pod, "Ready")
    if cond is None or cond.get("status") != "True" or not cond.get("lastTransitionTime"):
        return None
    try:
        return parse(str(cond["lastTransitionTime"]))
    except ValueError:
        return None


def is_running_and_available(
    pod: Obj, min_ready_seconds: int, now: float, parse: Callable[[str], float]
) -> bool:
    """Running and Ready for at least ``min_ready_seconds`` (podutil.IsPodAvailable).

    ``parse`` turns a timestamp into clock seconds (``Clock.parse_timestamp``).
    """
    if not is_running_and_ready(pod):
        return False
    if min_ready_seconds == 0:
        return True
    since = ready_since(pod, parse)
    return since is not None and since + min_ready_seconds <= now


def is_healthy(pod: Obj) -> bool:
    """Running, Ready and not terminating."""
    return is_running_and_ready(pod) and not is_terminating(pod)
