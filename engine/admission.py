"""The API server's admission chain for the kinds the playground models.

For every create and update (from ``kubectl apply``, a controller, a demo step…) the store runs
the hook registered here, in the API server's order:

1. **defaulting** (:mod:`engine.schema.defaults`): the ``defaults.go`` values, plus on create the
   mutating plugins — ServiceAccount, Priority, DefaultTolerationSeconds for Pods,
   DefaultStorageClass for claims without ``storageClassName`` — and, on Service updates, the
   registry's carry-over of an allocated ``clusterIP`` the new object left empty;
2. **validation** (:mod:`engine.schema.validate`), on create and when the spec or labels changed;
3. **immutable fields** (:mod:`engine.schema.immutable`) on update.

A failure raises :class:`AdmissionInvalid` (a :class:`engine.store.Invalid`) with the API
server's ``StatefulSet.apps "web" is invalid: …`` message (``kubectl_message`` has kubectl's
``The StatefulSet "web" is invalid: …``) and the field errors, so ``kubectl apply`` can point
at lines. :func:`review` runs the same steps on a copy without raising (apply's
validate-everything-first pass). Status-only updates skip validation: hooks stay cheap. So
does a binding (an update that only sets ``spec.nodeName`` on an unbound pod, sharing the rest
of the stored spec): the API server's ``pods/binding`` subresource neither defaults nor
validates the pod, and none of those steps reads ``nodeName`` beyond its type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine import pod_quota
from engine.objects import KINDS, Obj, api_group, copy_obj
from engine.schema.defaults import DEFAULTERS, apply_defaults, default_new_pod
from engine.schema.errors import FieldError, api_invalid, kubectl_invalid
from engine.schema.immutable import pvc_update, update_errors
from engine.schema.validate import validate
from engine.store import Invalid, Store

if TYPE_CHECKING:
    from engine.cluster import Cluster

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


class AdmissionInvalid(Invalid):
    """A write the API would reject; ``errors`` are the field errors.

    ``str()`` is the API server's message (``StatefulSet.apps "web" is invalid: …``), which
    controllers put in their events; :attr:`kubectl_message` is how kubectl prints it
    (``The StatefulSet "web" is invalid: …``).
    """

    def __init__(self, kind: str, name: str, errors: list[FieldError]) -> None:
        super().__init__(api_invalid(kind, api_group(kind) if kind in KINDS else "", name, errors))
        self.kind, self.name, self.errors = kind, name, errors

    @property
    def kubectl_message(self) -> str:
        """``The <Kind> "<name>" is invalid: <errors>``."""
        return kubectl_invalid(self.kind, self.name, self.errors)


def default_storage_class(store: Store) -> str | None:
    """The name of the default StorageClass (the newest if several are marked), or None."""
    marked = [
        sc
        for sc in store.list("StorageClass")
        if (sc["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"
    ]
    if not marked:
        return None
    newest = max(marked, key=lambda sc: (sc["metadata"].get("creationTimestamp") or "", 0))
    return str(newest["metadata"]["name"])


def mutate(store: Store, new: Obj, old: Obj | None) -> None:
    """Defaulting and mutating admission, in place."""
    kind = new.get("kind")
    if old is not None and kind == "Service":
        _keep_allocated(new, old)
    if kind == "Pod" and old is not None and new.get("spec") is old.get("spec"):
        return  # Pod defaults fill only the spec, and this one is the stored, defaulted one
    if kind == "Pod" and old is not None and _binding(new, old):
        return  # the stored, defaulted spec plus a node name
    if kind in _SPEC_STATUS_DEFAULTS and old is not None and _spec_status_kept(new, old):
        return  # their defaults fill only spec and status, and these are the stored ones
    apply_defaults(new)
    if old is None and kind == "Pod":
        default_new_pod(new)
    if old is None and kind == "PersistentVolumeClaim":
        spec = new.setdefault("spec", {})
        if "storageClassName" not in spec:
            name = default_storage_class(store)
            if name is not None:
                spec["storageClassName"] = name


#: kinds whose defaulting (engine.schema.defaults) reads and fills only spec and status
_SPEC_STATUS_DEFAULTS = frozenset({"PersistentVolumeClaim", "PersistentVolume"})


def _spec_status_kept(new: Obj, old: Obj) -> bool:
    spec, status = new.get("spec"), new.get("status")
    return (
        spec is old.get("spec")
        and status is old.get("status")
        and type(spec) is dict
        and type(status) is dict
    )


def _keep_allocated(new: Obj, old: Obj) -> None:
    """The service registry copies allocated values the update left empty."""
    spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    ip = spec.get("clusterIP")
    if (
        ip
        and ip != old_spec.get("clusterIP")
        and spec.get("clusterIPs") == old_spec.get("clusterIPs")
    ):
        spec["clusterIPs"] = [ip]  # the registry's normalizeClusterIPs
    if not spec.get("clusterIP") and old_spec.get("clusterIP"):
        spec["clusterIP"] = old_spec["clusterIP"]
        if old_spec.get("clusterIPs"):
            spec["clusterIPs"] = list(old_spec["clusterIPs"])
    if spec.get("type") == old_spec.get("type"):
        old_ports = {(p.get("port"), p.get("protocol")): p for p in old_spec.get("ports") or []}
        for port in spec.get("ports") or []:
            prior = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if prior and prior.get("nodePort") and not port.get("nodePort"):
                port["nodePort"] = prior["nodePort"]


def check(store: Store, new: Obj, old: Obj | None) -> list[FieldError]:
    """Validation and immutable-field errors of a mutated object."""
    errors: list[FieldError] = []
    if old is not None and _binding(new, old) and not _other_visible_change(new, old):
        return errors
    if old is None or _user_visible_change(new, old):
        errors += validate(new)
    if old is not None:
        if new.get("kind") == "PersistentVolumeClaim":
            errors += pvc_update(new, old, expandable=_expandable(store, new))
        elif _differ(new.get("spec"), old.get("spec")) or new.get("kind") == "StorageClass":
            errors += update_errors(new, old)
    return errors


def _differ(a: object, b: object) -> bool:
    """``a != b``, at once when they are the same (stored) object."""
    return a is not b and a != b


def _user_visible_change(new: Obj, old: Obj) -> bool:
    if _differ(new.get("spec"), old.get("spec")):
        return True
    return _other_visible_change(new, old)


def _binding(new: Obj, old: Obj) -> bool:
    """The pod's spec is the stored one's (the same values) plus a ``nodeName`` string the
    stored one lacked: what the scheduler's binding writes."""
    if new.get("kind") != "Pod":
        return False
    spec, old_spec = new.get("spec"), old.get("spec")
    if type(spec) is not dict or type(old_spec) is not dict or old_spec.get("nodeName"):
        return False
    if type(spec.get("nodeName")) is not str:
        return False
    if len(spec) != len(old_spec) + ("nodeName" not in old_spec):
        return False
    missing = object()
    return all(k == "nodeName" or old_spec.get(k, missing) is v for k, v in spec.items())


def _other_visible_change(new: Obj, old: Obj) -> bool:
    """Labels or a top-level field other than metadata, spec and status changed."""
    md, old_md = new.get("metadata") or {}, old.get("metadata") or {}
    if _differ(md.get("labels"), old_md.get("labels")):
        return True
    return any(k not in _NOT_TOP and _differ(v, old.get(k)) for k, v in new.items())


_NOT_TOP = frozenset({"metadata", "spec", "status"})


def _expandable(store: Store, pvc: Obj) -> bool:
    name = (pvc.get("spec") or {}).get("storageClassName")
    sc = store.get("StorageClass", "", str(name)) if name else None
    return bool(sc and sc.get("allowVolumeExpansion"))


def review(store: Store, obj: Obj, old: Obj | None) -> tuple[Obj, list[FieldError]]:
    """What admission would store for ``obj`` (a mutated copy) and the errors it would raise."""
    new = copy_obj(obj)
    mutate(store, new, old)
    return new, check(store, new, old)


def install(cluster: Cluster) -> None:
    """Register the admission hooks (defaults, validation, immutable fields) on the store."""
    store = cluster.store

    def hook(new: Obj, old: Obj | None) -> None:
        mutate(store, new, old)
        errors = check(store, new, old)
        if errors:
            md = new.get("metadata") or {}
            raise AdmissionInvalid(str(new.get("kind")), str(md.get("name", "")), errors)

    for kind in DEFAULTERS:
        store.add_admission(kind, hook)
    pod_quota.install(cluster)
