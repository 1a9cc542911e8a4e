"""What an update may not change (the ``Validate*Update`` functions of the API server).

:func:`update_errors` compares a defaulted new object with the stored one. Messages are the
API's, without the Go struct diff some of them append.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.objects import Obj, copy_obj
from engine.quantity import value_of
from engine.schema.core import PV_SOURCES
from engine.schema.errors import FieldError, forbidden, invalid

Dict = dict[str, Any]

STS_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)
STS_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
    "'minReadySeconds' are forbidden"
)
POD_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)"
)
PVC_FORBIDDEN = (
    "spec is immutable after creation except resources.requests and volumeAttributesClassName "
    "for bound claims"
)
IMMUTABLE = "field is immutable"


def _spec(obj: Obj) -> Dict:
    spec: Dict = obj.get("spec") or {}
    return spec


def _without(spec: Dict, keys: tuple[str, ...]) -> Dict:
    return {k: v for k, v in spec.items() if k not in keys}


def statefulset_update(new: Obj, old: Obj) -> list[FieldError]:
    """Only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, the PVC
    retention policy and minReadySeconds may change."""
    if _without(_spec(new), STS_MUTABLE) != _without(_spec(old), STS_MUTABLE):
        return [forbidden(("spec",), STS_FORBIDDEN)]
    return []


def selector_update(new: Obj, old: Obj) -> list[FieldError]:
    """apps/v1 Deployment and ReplicaSet selectors are immutable."""
    selector = _spec(new).get("selector")
    if selector != _spec(old).get("selector"):
        return [invalid(("spec", "selector"), selector, IMMUTABLE)]
    return []


def service_update(new: Obj, old: Obj) -> list[FieldError]:
    """The primary clusterIP may not change once set."""
    old_ip = _spec(old).get("clusterIP")
    new_ip = _spec(new).get("clusterIP")
    if old_ip and new_ip and old_ip != new_ip:
        ips = _spec(new).get("clusterIPs") or [new_ip]
        return [invalid(("spec", "clusterIPs", 0), ips, "may not change once set")]
    return []


def pvc_update(new: Obj, old: Obj, expandable: bool = True) -> list[FieldError]:
    """A claim's spec is immutable except the storage request of a bound claim (growing only,
    and only when its StorageClass allows expansion) and, while unbound, ``volumeName``."""
    new_spec, old_spec = copy_obj(_spec(new)), copy_obj(_spec(old))
    bound = bool(old_spec.get("volumeName")) or (old.get("status") or {}).get("phase") == "Bound"
    if not old_spec.get("volumeName"):
        new_spec.pop("volumeName", None)
        old_spec.pop("volumeName", None)
    if "storageClassName" not in old_spec:
        new_spec.pop("storageClassName", None)
    new_req = (new_spec.get("resources") or {}).get("requests") or {}
    old_req = (old_spec.get("resources") or {}).get("requests") or {}
    if bound:
        for spec in (new_spec, old_spec):
            spec.get("resources", {}).pop("requests", None)
            spec.pop("volumeAttributesClassName", None)
    if new_spec != old_spec:
        return [forbidden(("spec",), PVC_FORBIDDEN)]
    if bound and new_req.get("storage") != old_req.get("storage"):
        return _resize(new, new_req.get("storage"), expandable)
    return []


def _resize(new: Obj, storage: Any, expandable: bool) -> list[FieldError]:
    path = ("spec", "resources", "requests", "storage")
    capacity = ((new.get("status") or {}).get("capacity") or {}).get("storage")
    wanted, have = value_of(storage), value_of(capacity)
    if wanted is not None and have is not None and wanted < have:
        return [forbidden(path, "field can not be less than status.capacity")]
    if not expandable:
        return [
            forbidden(
                path,
                "only dynamically provisioned pvc can be resized and the storageclass that "
                "provisions the pvc must support resize",
            )
        ]
    return []


def pv_update(new: Obj, old: Obj) -> list[FieldError]:
    """The volume source and volume mode are immutable."""
    errs: list[FieldError] = []
    new_src = {k: v for k, v in _spec(new).items() if k in PV_SOURCES}
    old_src = {k: v for k, v in _spec(old).items() if k in PV_SOURCES}
    if new_src != old_src:
        errs.append(
            forbidden(
                ("spec", "persistentvolumesource"),
                "spec.persistentvolumesource is immutable after creation",
            )
        )
    if _spec(new).get("volumeMode") != _spec(old).get("volumeMode"):
        errs.append(invalid(("spec", "volumeMode"), _spec(new).get("volumeMode"), IMMUTABLE))
    return errs


def storage_class_update(new: Obj, old: Obj) -> list[FieldError]:
    """Parameters, provisioner, reclaimPolicy and volumeBindingMode are fixed."""
    errs: list[FieldError] = []
    for key in ("parameters", "provisioner", "reclaimPolicy"):
        if new.get(key) != old.get(key):
            errs.append(forbidden((key,), f"updates to {key} are forbidden."))
    if new.get("volumeBindingMode") != old.get("volumeBindingMode"):
        errs.append(invalid(("volumeBindingMode",), new.get("volumeBindingMode"), IMMUTABLE))
    return errs


def _mask_pod(spec: Dict, old: Dict) -> Dict:
    masked = copy_obj(spec)
    for key in ("containers", "initContainers"):
        for c in masked.get(key) or []:
            c.pop("image", None)
    masked.pop("activeDeadlineSeconds", None)
    masked.pop("terminationGracePeriodSeconds", None)
    masked.pop("tolerations", None)
    if not old.get("nodeName"):
        masked.pop("nodeName", None)  # binding sets it once
    if "schedulingGates" in masked:
        masked.pop("schedulingGates")
    return masked


def pod_update(new: Obj, old: Obj) -> list[FieldError]:
    """Pod specs are immutable but for images, deadlines, grace period, added tolerations and
    the one-time binding to a node."""
    old_spec, new_spec = _spec(old), _spec(new)
    if _mask_pod(new_spec, old_spec) != _mask_pod(old_spec, old_spec):
        return [forbidden(("spec",), POD_FORBIDDEN)]
    old_tolerations = old_spec.get("tolerations") or []
    new_tolerations = new_spec.get("tolerations") or []
    if any(t not in new_tolerations for t in old_tolerations):
        return [forbidden(("spec",), POD_FORBIDDEN)]
    return []


UPDATE_CHECKS: dict[str, Callable[[Obj, Obj], list[FieldError]]] = {
    "StatefulSet": statefulset_update,
    "Deployment": selector_update,
    "ReplicaSet": selector_update,
    "Service": service_update,
    "PersistentVolumeClaim": pvc_update,
    "PersistentVolume": pv_update,
    "StorageClass": storage_class_update,
    "Pod": pod_update,
}


def update_errors(new: Obj, old: Obj) -> list[FieldError]:
    """Immutable-field errors of replacing ``old`` with ``new`` (both defaulted)."""
    check = UPDATE_CHECKS.get(str(new.get("kind")))
    return check(new, old) if check is not None else []
