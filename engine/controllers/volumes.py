"""PersistentVolume binding, dynamic provisioning, reclaim, and the protection finalizers.

:class:`VolumeController` plays kube-controller-manager's ``persistentvolume-controller``
(binder and reclaimer) *and* the external provisioner of the two playground StorageClasses
(``playground.local/network`` and ``playground.local/local``). Keys are ``pvc:<ns>/<name>`` and
``pv:<name>``.

Claim lifecycle (``pv_controller.go`` ``syncClaim``):

* At first sight a claim without ``storageClassName`` gets the default class. On a real cluster
  the DefaultStorageClass admission plugin does this on create (and the controller does it
  retroactively for claims created before a default existed); here the controller does it on
  its first sync, which is the same moment for anyone watching the settled cluster.
* Unbound claim: bind to the best matching static volume (``volume_binding.best_match``); else,
  for a class with a provisioner, wait for the scheduler's ``volume.kubernetes.io/selected-node``
  when the class is ``WaitForFirstConsumer`` (event ``WaitForFirstConsumer``), then annotate the
  claim with the provisioner (event ``ExternalProvisioning``) and let the provisioner create
  ``pvc-<uid>`` after ``timings.provision`` seconds (events ``Provisioning`` and
  ``ProvisioningSucceeded`` from the provisioner's identity).
* Binding writes the volume first (``claimRef``, phase Bound), then the claim (``volumeName``,
  ``bind-completed``/``bound-by-controller`` annotations, status capacity and access modes).
* A bound claim whose volume disappeared turns ``Lost`` (Warning ``ClaimLost``).

Volume lifecycle (``syncVolume``): no claimRef → Available; claim gone or replaced by one with
another uid → Released, then the reclaim policy: ``Retain`` keeps it Released (its data stays in
``cluster.volume_data``), ``Delete`` deletes the object and the simulated contents, ``Recycle``
scrubs the contents and makes it Available again.

Raising a bound claim's request expands it online (:mod:`volume_expansion`).

:class:`PVCProtectionController` (in :mod:`volume_protection`, re-exported here) owns the
``kubernetes.io/pvc-protection`` and ``kubernetes.io/pv-protection`` finalizers.
"""

from __future__ import annotations

from typing import Any

from engine import volume_files
from engine.bootstrap import LOCAL_PROVISIONER, PROVISIONER
from engine.controllers import volume_binding as vb
from engine.controllers import volume_expansion as expansion
from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.volume_protection import PVCProtectionController
from engine.objects import Obj, annotations_of, copy_obj, name_of, namespace_of, thaw, uid_of
from engine.store import NotFound, WatchEvent

COMPONENT = "persistentvolume-controller"
__all__ = ["PVCProtectionController", "VolumeController"]


def _claim_key(obj: Obj) -> str:
    return "pvc:" + make_key(namespace_of(obj), name_of(obj))


def _set_phase(obj: Obj, phase: str, now: str) -> bool:
    status = obj.setdefault("status", {})
    if status.get("phase") == phase:
        return False
    status["phase"] = phase
    if obj["kind"] == "PersistentVolume":
        status["lastPhaseTransitionTime"] = now
    return True


#: store index: PersistentVolume → ``<ns>/<name>`` of its claimRef, or :data:`_UNCLAIMED`
CLAIM_REF_INDEX = "volumes-claim-ref"
_UNCLAIMED = "/"


def _claim_ref_key(pv: Obj) -> list[str]:
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return [_UNCLAIMED]
    return [make_key(str(ref.get("namespace", "")), str(ref.get("name", "")))]


class VolumeController(Controller):
    """PersistentVolume controller (binder, reclaimer) plus the playground's provisioners."""

    name = COMPONENT

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        #: claim uid -> True while its volume is being provisioned
        self._provisioning: dict[str, bool] = {}
        self._identities: dict[str, str] = {}

    def setup(self) -> None:
        """Watch claims, volumes, classes and pods."""
        self.store.subscribe(self._on_claim, ["PersistentVolumeClaim"])
        self.store.subscribe(self._on_volume, ["PersistentVolume"])
        self.store.subscribe(self._on_class, ["StorageClass"])
        self.store.subscribe(self._on_pod, ["Pod"])
        if not self.store.has_index("PersistentVolume", CLAIM_REF_INDEX):
            self.store.add_index(
                "PersistentVolume", CLAIM_REF_INDEX, _claim_ref_key, reads=["spec.claimRef"]
            )

    # -- watch handlers ---------------------------------------------------------------
    def _on_claim(self, ev: WatchEvent) -> None:
        self.enqueue(_claim_key(ev.obj))
        volume = (ev.obj.get("spec") or {}).get("volumeName")
        if volume:
            self.enqueue("pv:" + volume)
        if ev.type == "DELETED":
            for pv in self.store.list("PersistentVolume"):
                if vb.claim_ref_matches(pv, ev.obj):
                    self.enqueue("pv:" + name_of(pv))

    def _on_volume(self, ev: WatchEvent) -> None:
        spec = ev.obj.get("spec") or {}
        if ev.type == "DELETED" and spec.get("persistentVolumeReclaimPolicy") == "Delete":
            # the provisioner deletes the backing storage with the object
            # (HonorPVReclaimPolicy); a Retain volume's storage outlives its object
            self.cluster.volume_data.pop(name_of(ev.obj), None)
        self.enqueue("pv:" + name_of(ev.obj))
        ref = (ev.obj.get("spec") or {}).get("claimRef")
        if ref:
            self.enqueue("pvc:" + make_key(ref.get("namespace", ""), ref.get("name", "")))
        if ev.type != "DELETED" and (ev.obj.get("status") or {}).get("phase") == "Available":
            self._enqueue_pending_claims()

    def _on_class(self, ev: WatchEvent) -> None:
        self._enqueue_pending_claims()

    def _on_pod(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED":
            volume_files.forget_pod(self.cluster, uid_of(ev.obj))
            return
        if (ev.obj.get("status") or {}).get("phase") == "Running":  # may finish an expansion
            for vol in (ev.obj.get("spec") or {}).get("volumes") or []:
                claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
                if claim:
                    self.enqueue("pvc:" + make_key(namespace_of(ev.obj), claim))

    def _enqueue_pending_claims(self) -> None:
        for pvc in self.store.list("PersistentVolumeClaim"):
            if not (pvc.get("spec") or {}).get("volumeName"):
                self.enqueue(_claim_key(pvc))

    # -- sync -------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Reconcile a claim (``pvc:ns/name``) or a volume (``pv:name``)."""
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            ns, name = split_key(rest)
            pvc = self.store.get("PersistentVolumeClaim", ns, name)
            if pvc is not None:
                self._sync_claim(pvc)
        else:
            pv = self.store.get("PersistentVolume", "", rest)
            if pv is not None:
                self._sync_volume(pv)

    def _sync_claim(self, pvc: Obj) -> None:
        pvc = self._default_claim(pvc)
        volume_name = (pvc.get("spec") or {}).get("volumeName")
        if not volume_name:
            self._sync_unbound(pvc)
            return
        pv = self.store.get("PersistentVolume", "", volume_name)
        if pv is None:
            if annotations_of(pvc).get(vb.ANN_BIND_COMPLETED):
                self._claim_lost(pvc)
            else:
                self._write_claim_phase(pvc, "Pending")
            return
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref and not vb.claim_ref_matches(pv, pvc):
            if annotations_of(pvc).get(vb.ANN_BIND_COMPLETED):
                self._claim_lost(pvc)
            else:
                self._write_claim_phase(pvc, "Pending")
            return
        self._bind(pv, pvc)

    def _default_claim(self, pvc: Obj) -> Obj:
        spec = pvc.get("spec") or {}
        if "storageClassName" in spec and spec.get("volumeMode"):
            return pvc
        new = copy_obj(pvc)
        new_spec = new.setdefault("spec", {})
        new_spec.setdefault("volumeMode", "Filesystem")
        if "storageClassName" not in new_spec or new_spec["storageClassName"] is None:
            default = self._default_class()
            if default is None:
                if new_spec == spec:
                    return pvc
            else:
                new_spec["storageClassName"] = default
        if new_spec == spec:
            return pvc
        return self.store.update(new)

    def _default_class(self) -> str | None:
        defaults = [sc for sc in self.store.list("StorageClass") if vb.is_default_class(sc)]
        if not defaults:
            return None
        newest = max(defaults, key=lambda sc: (sc["metadata"]["creationTimestamp"], name_of(sc)))
        return name_of(newest)

    def _candidate_volumes(self, pvc: Obj) -> list[Obj]:
        """The volumes :func:`~engine.controllers.volume_binding.best_match` could pick: those
        pre-bound to the claim's name and those with no claimRef (any other fails
        ``claim_ref_matches``). With more than one pre-bound, the whole list keeps the first
        in store order the winner."""
        prebound = self.store.by_index(
            "PersistentVolume", CLAIM_REF_INDEX, make_key(namespace_of(pvc), name_of(pvc))
        )
        if len(prebound) > 1:
            return self.store.list("PersistentVolume")
        return prebound + self.store.by_index("PersistentVolume", CLAIM_REF_INDEX, _UNCLAIMED)

    def _sync_unbound(self, pvc: Obj) -> None:
        self._write_claim_phase(pvc, "Pending")
        class_name = vb.claim_class(pvc)
        sc = self.store.get("StorageClass", "", class_name) if class_name else None
        wffc = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
        node_name = annotations_of(pvc).get(vb.ANN_SELECTED_NODE)
        node = self.store.get("Node", "", node_name) if node_name else None
        volumes = self._candidate_volumes(pvc)
        if not wffc or node_name:
            match = vb.best_match(volumes, pvc, node, check_node=wffc)
            if match is not None:
                self._bind(match, pvc)
                return
        if uid_of(pvc) in self._provisioning:
            return
        if sc is None:
            self._no_class(pvc, class_name)
            return
        provisioner = str(sc.get("provisioner", ""))
        if wffc and not node_name:
            self._event(
                pvc,
                "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding",
            )
            return
        if provisioner == vb.NO_PROVISIONER:
            return
        self._start_provisioning(pvc, sc, node_name if wffc else None)

    def _no_class(self, pvc: Obj, class_name: str) -> None:
        if class_name:
            self.cluster.events.warning(
                pvc,
                "ProvisioningFailed",
                f'storageclass.storage.k8s.io "{class_name}" not found',
                COMPONENT,
            )
        else:
            self._event(
                pvc,
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
            )

    def _event(self, obj: Obj, reason: str, message: str) -> None:
        self.cluster.events.normal(obj, reason, message, COMPONENT)

    # -- provisioning -----------------------------------------------------------------
    def _identity(self, provisioner: str) -> str:
        """The provisioner's event source, like ``<driver>_<pod>_<uuid>`` on a real cluster."""
        if provisioner not in self._identities:
            suffix = provisioner.rsplit("/", 1)[-1]
            rnd = self.cluster.rng("provisioner-identity")
            token = "%08x-%04x-%04x-%04x-%012x" % (  # noqa: UP031
                rnd.getrandbits(32),
                rnd.getrandbits(16),
                0x4000 | rnd.getrandbits(12),
                0x8000 | rnd.getrandbits(14),
                rnd.getrandbits(48),
            )
            self._identities[provisioner] = f"{provisioner}_{suffix}-provisioner-0_{token}"
        return self._identities[provisioner]

    def _start_provisioning(self, pvc: Obj, sc: Obj, node: str | None) -> None:
        provisioner = str(sc.get("provisioner", ""))
        new = thaw(pvc, "metadata.annotations")
        ann = new["metadata"].setdefault("annotations", {})
        ann[vb.ANN_BETA_STORAGE_PROVISIONER] = provisioner
        ann[vb.ANN_STORAGE_PROVISIONER] = provisioner
        pvc = self.store.update(new, adopt=True)
        self._event(
            pvc,
            "ExternalProvisioning",
            (
                "Waiting for a volume to be created either by the external provisioner "
                f"'{provisioner}' or manually by the system administrator. If volume creation is "
                "delayed, please verify that the provisioner is running and correctly registered."
            ),
        )
        ident = self._identity(provisioner)
        self.cluster.events.normal(
            pvc,
            "Provisioning",
            f'External provisioner is provisioning volume for claim "{namespace_of(pvc)}/'
            f'{name_of(pvc)}"',
            ident,
        )
        uid = uid_of(pvc)
        self._provisioning[uid] = True
        ns, name = namespace_of(pvc), name_of(pvc)
        delay = self.cluster.timings.provision
        if delay <= 0:  # an instant provisioner: bound before the scheduler looks at the pod
            self._finish_provisioning(ns, name, uid, name_of(sc), node)
            return
        self.clock.call_later(
            delay, lambda: self._finish_provisioning(ns, name, uid, name_of(sc), node)
        )

    def _finish_provisioning(
        self, ns: str, name: str, uid: str, class_name: str, node: str | None
    ) -> None:
        self._provisioning.pop(uid, None)
        pvc = self.store.get("PersistentVolumeClaim", ns, name)
        sc = self.store.get("StorageClass", "", class_name)
        if pvc is None or uid_of(pvc) != uid:
            return
        deleting = bool(pvc["metadata"].get("deletionTimestamp"))
        if sc is None or deleting or (pvc.get("spec") or {}).get("volumeName"):
            self.enqueue("pvc:" + make_key(ns, name))
            return
        pv = vb.provisioned_volume(pvc, sc, node)
        if self.store.get("PersistentVolume", "", name_of(pv)) is None:
            self.store.create(pv, adopt=True)  # built for this call
            self.cluster.volume_data.setdefault(name_of(pv), {})
        self.cluster.events.normal(
            pvc,
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {name_of(pv)}",
            self._identity(str(sc.get("provisioner", ""))),
        )
        self.enqueue("pvc:" + make_key(ns, name))

    # -- binding ------------------------------------------------------------------------
    def _bind(self, pv: Obj, pvc: Obj) -> None:
        now = self.clock.timestamp()
        new_pv = thaw(pv, "spec", "metadata.annotations", "status")
        spec = new_pv.setdefault("spec", {})
        if not spec.get("claimRef"):
            new_pv["metadata"].setdefault("annotations", {})[vb.ANN_BOUND_BY_CONTROLLER] = "yes"
        if not (spec.get("claimRef") or {}).get("uid"):
            spec["claimRef"] = vb.claim_reference(pvc)
        _set_phase(new_pv, "Bound", now)
        if new_pv != pv:
            pv = self.store.update(new_pv, adopt=True)
        new = thaw(pvc, "spec", "metadata.annotations", "status")
        ann = new["metadata"].setdefault("annotations", {})
        if not (pvc.get("spec") or {}).get("volumeName"):
            ann[vb.ANN_BOUND_BY_CONTROLLER] = "yes"
            new["spec"]["volumeName"] = name_of(pv)
        ann[vb.ANN_BIND_COMPLETED] = "yes"
        status = new.setdefault("status", {})
        status["phase"] = "Bound"
        status["accessModes"] = list((pv.get("spec") or {}).get("accessModes") or [])
        if not status.get("capacity"):  # later changes come from volume expansion
            status["capacity"] = dict((pv.get("spec") or {}).get("capacity") or {})
        if new != pvc:
            pvc = self.store.update(new, adopt=True)
        expansion.sync_expansion(self, pvc, pv)

    def _write_claim_phase(self, pvc: Obj, phase: str) -> None:
        if (pvc.get("status") or {}).get("phase") == phase:
            return
        new = thaw(pvc, "status")
        _set_phase(new, phase, self.clock.timestamp())
        self.store.update(new, adopt=True)

    def _claim_lost(self, pvc: Obj) -> None:
        if (pvc.get("status") or {}).get("phase") == "Lost":
            return
        self._write_claim_phase(pvc, "Lost")
        self.cluster.events.warning(
            pvc,
            "ClaimLost",
            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
            COMPONENT,
        )

    # -- volumes ------------------------------------------------------------------------
    def _sync_volume(self, pv: Obj) -> None:
        ref = (pv.get("spec") or {}).get("claimRef")
        now = self.clock.timestamp()
        if not ref:
            self._write_volume_phase(pv, "Available", now)
            return
        claim = self.store.get("PersistentVolumeClaim", ref.get("namespace", ""), ref["name"])
        if not ref.get("uid"):
            self._write_volume_phase(pv, "Available", now)  # pre-bound by the user
            return
        if claim is not None and uid_of(claim) == ref.get("uid"):
            if (claim.get("spec") or {}).get("volumeName") == name_of(pv):
                self._write_volume_phase(pv, "Bound", now)
            return
        self._release(pv, now)

    def _write_volume_phase(self, pv: Obj, phase: str, now: str) -> Obj:
        new = thaw(pv, "status")
        if _set_phase(new, phase, now):
            return self.store.update(new, adopt=True)
        return pv

    def _release(self, pv: Obj, now: str) -> None:
        if (pv.get("status") or {}).get("phase") != "Failed":
            pv = self._write_volume_phase(pv, "Released", now)
        policy = (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy", "Retain")
        if policy == "Delete":
            if not _deletable(pv):
                message = (
                    f'error getting deleter volume plugin for volume "{name_of(pv)}": '
                    "no deletable volume plugin matched"
                )
                self._reclaim_failed(pv, now, "VolumeFailedDelete", message)
                return
            self.cluster.volume_data.pop(name_of(pv), None)
            try:
                self.store.delete("PersistentVolume", "", name_of(pv))
            except NotFound:
                return
        elif policy == "Recycle":
            self.cluster.volume_data[name_of(pv)] = {}
            new = copy_obj(pv)
            new["spec"].pop("claimRef", None)
            _set_phase(new, "Available", now)
            self.store.update(new)
            self._event(new, "VolumeRecycled", "Volume recycled")

    def _reclaim_failed(self, pv: Obj, now: str, reason: str, message: str) -> None:
        if (pv.get("status") or {}).get("phase") == "Failed":
            return
        new = copy_obj(pv)
        _set_phase(new, "Failed", now)
        new["status"]["message"] = message
        self.store.update(new)
        self.cluster.events.warning(new, reason, message, COMPONENT)


def _deletable(pv: Obj) -> bool:
    """Only the playground's provisioners can delete storage; a hand-made volume (hostPath,
    nfs…) with reclaim policy Delete fails like on a real cluster."""
    ours = {PROVISIONER, LOCAL_PROVISIONER}
    driver = ((pv.get("spec") or {}).get("csi") or {}).get("driver")
    return annotations_of(pv).get(vb.ANN_PROVISIONED_BY) in ours or driver in ours
