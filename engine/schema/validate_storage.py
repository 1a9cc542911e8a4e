"""PersistentVolumeClaim, PersistentVolume and StorageClass validation
(``ValidatePersistentVolumeClaimSpec``, ``ValidatePersistentVolumeSpec``,
``ValidateStorageClass``)."""

from __future__ import annotations

from typing import Any

from engine.objects import Obj
from engine.quantity import value_of
from engine.schema.core import PV_SOURCES
from engine.schema.errors import (
    FieldError,
    FieldPath,
    forbidden,
    invalid,
    not_supported,
    required,
)
from engine.schema.names import is_dns1123_subdomain, validate_label_selector

Dict = dict[str, Any]
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")


def _access_modes(modes: list[Any], path: FieldPath, detail: str) -> list[FieldError]:
    if not modes:
        return [required(path, detail)]
    errs = [not_supported(path, m, ACCESS_MODES) for m in modes if m not in ACCESS_MODES]
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _class_name(spec: Dict, path: FieldPath) -> list[FieldError]:
    name = spec.get("storageClassName")
    if not name:
        return []
    return [invalid((*path, "storageClassName"), name, m) for m in is_dns1123_subdomain(name)]


def _volume_mode(spec: Dict, path: FieldPath) -> list[FieldError]:
    mode = spec.get("volumeMode")
    if mode is None or mode in VOLUME_MODES:
        return []
    return [not_supported((*path, "volumeMode"), mode, VOLUME_MODES)]


def validate_pvc_spec(spec: Dict, path: FieldPath) -> list[FieldError]:
    """Access modes, the storage request, class name, volume mode, selector."""
    errs = _access_modes(
        spec.get("accessModes") or [], (*path, "accessModes"), "at least 1 access mode is required"
    )
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    key = (*path, "resources", "[storage]")
    if storage is None:
        errs.append(required(key))
    else:
        q = value_of(storage)
        if q is not None and q <= 0:
            errs.append(invalid(key, str(storage), "must be greater than zero"))
    errs += _class_name(spec, path) + _volume_mode(spec, path)
    if spec.get("selector") is not None:
        errs += validate_label_selector(spec["selector"], (*path, "selector"))
    return errs


def validate_pvc(obj: Obj) -> list[FieldError]:
    """A PersistentVolumeClaim."""
    return validate_pvc_spec(obj.get("spec") or {}, ("spec",))


def validate_pv(obj: Obj) -> list[FieldError]:
    """A PersistentVolume."""
    spec = obj.get("spec") or {}
    p: FieldPath = ("spec",)
    errs = _access_modes(spec.get("accessModes") or [], (*p, "accessModes"), "")
    capacity = spec.get("capacity") or {}
    if not capacity:
        errs.append(required((*p, "capacity")))
    for name, value in capacity.items():
        if name != "storage":
            errs.append(not_supported((*p, "capacity"), name, ("storage",)))
        else:
            q = value_of(value)
            if q is not None and q <= 0:
                errs.append(
                    invalid((*p, "capacity", "[storage]"), str(value), "must be greater than zero")
                )
    policy = spec.get("persistentVolumeReclaimPolicy")
    policies = ("Delete", "Recycle", "Retain")
    if policy not in policies:
        errs.append(not_supported((*p, "persistentVolumeReclaimPolicy"), policy or "", policies))
    sources = [k for k in PV_SOURCES if k in spec]
    if not sources:
        errs.append(required(p, "must specify a volume type"))
    for extra in sources[1:]:
        errs.append(forbidden((*p, extra), "may not specify more than 1 volume type"))
    for source in ("hostPath", "local", "nfs"):
        if isinstance(spec.get(source), dict) and not spec[source].get("path"):
            errs.append(required((*p, source, "path")))
    if "local" in spec and not spec.get("nodeAffinity"):
        errs.append(required((*p, "nodeAffinity"), "Local volume requires node affinity"))
    return errs + _class_name(spec, p) + _volume_mode(spec, p)


def validate_storage_class(obj: Obj) -> list[FieldError]:
    """A StorageClass."""
    errs: list[FieldError] = []
    provisioner = obj.get("provisioner")
    if not provisioner:
        errs.append(required(("provisioner",)))
    policy = obj.get("reclaimPolicy")
    if policy not in ("Delete", "Retain"):
        errs.append(not_supported(("reclaimPolicy",), policy or "", ("Delete", "Retain")))
    mode = obj.get("volumeBindingMode")
    modes = ("Immediate", "WaitForFirstConsumer")
    if mode not in modes:
        errs.append(not_supported(("volumeBindingMode",), mode or "", modes))
    return errs
