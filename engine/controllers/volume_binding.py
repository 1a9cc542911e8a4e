"""Pure helpers of the PersistentVolume controller: quantities, claim/volume matching, and the
shape of a dynamically provisioned PersistentVolume.

Mirrors ``pkg/controller/volume/persistentvolume`` (``index.go`` ``findBestMatchForClaim``,
``pv_controller.go`` annotations) and the external-provisioner library: a claim binds to the
*smallest* volume of its class that is big enough, offers every requested access mode, has the
same volume mode, matches the claim's label selector and (for a claim whose node was already
chosen) allows that node; a volume pre-bound to the claim (``spec.claimRef``) wins.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from engine.objects import Obj, annotations_of, labels_of, name_of, namespace_of, uid_of
from engine.quantity import amount
from engine.selectors import SelectorError, from_label_selector

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
NO_PROVISIONER = "kubernetes.io/no-provisioner"


def claim_request(pvc: Obj) -> Fraction:
    """spec.resources.requests.storage of a claim in bytes (0 when absent or invalid)."""
    return amount(
        ((pvc.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
    )


def volume_capacity(pv: Obj) -> Fraction:
    """spec.capacity.storage of a volume in bytes (0 when absent or invalid)."""
    return amount(((pv.get("spec") or {}).get("capacity") or {}).get("storage"))


def claim_class(pvc: Obj) -> str:
    """The claim's storage class name ("" = explicitly no class)."""
    return str((pvc.get("spec") or {}).get("storageClassName") or "")


def volume_class(pv: Obj) -> str:
    """The volume's storage class name ("" when none)."""
    return str((pv.get("spec") or {}).get("storageClassName") or "")


def is_default_class(sc: Obj) -> bool:
    """The StorageClass carries ``storageclass.kubernetes.io/is-default-class: "true"``."""
    return annotations_of(sc).get(ANN_DEFAULT_CLASS, "").lower() == "true"


def claim_ref_matches(pv: Obj, pvc: Obj) -> bool:
    """``pv.spec.claimRef`` names ``pvc`` (by namespace/name, and by uid when the ref has one)."""
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    if ref.get("name") != name_of(pvc) or ref.get("namespace", "") != namespace_of(pvc):
        return False
    return not ref.get("uid") or ref.get("uid") == uid_of(pvc)


def node_allowed(pv: Obj, node: Obj | None) -> bool:
    """The volume's ``spec.nodeAffinity.required`` admits ``node`` (no affinity: any node)."""
    required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    if not required:
        return True
    if node is None:
        return False
    labels = {**labels_of(node), "metadata.name": name_of(node)}
    for term in required.get("nodeSelectorTerms") or []:
        exprs = list(term.get("matchExpressions") or []) + list(term.get("matchFields") or [])
        try:
            if all(from_label_selector({"matchExpressions": [e]})(labels) for e in exprs):
                return True
        except SelectorError:  # Gt/Lt on a non-numeric label: the term does not match
            continue
    return False


def _volume_mode(obj: Obj) -> str:
    return str((obj.get("spec") or {}).get("volumeMode") or "Filesystem")


def volume_fits(pv: Obj, pvc: Obj, node: Obj | None, check_node: bool) -> bool:
    """Whether ``pv`` could be bound to ``pvc`` (ignoring which one is the best)."""
    spec = pv.get("spec") or {}
    if pv["metadata"].get("deletionTimestamp"):
        return False
    ref = spec.get("claimRef")
    if ref and not claim_ref_matches(pv, pvc):
        return False
    if not ref and (pv.get("status") or {}).get("phase", "Available") != "Available":
        return False
    if volume_class(pv) != claim_class(pvc) or _volume_mode(pv) != _volume_mode(pvc):
        return False
    wanted = set((pvc.get("spec") or {}).get("accessModes") or [])
    if not wanted <= set(spec.get("accessModes") or []):
        return False
    if volume_capacity(pv) < claim_request(pvc):
        return False
    selector = (pvc.get("spec") or {}).get("selector")
    if selector and not from_label_selector(selector)(labels_of(pv)):
        return False
    return not check_node or node_allowed(pv, node)


def best_match(volumes: list[Obj], pvc: Obj, node: Obj | None, check_node: bool) -> Obj | None:
    """findBestMatchForClaim: a volume pre-bound to the claim, else the smallest that fits."""
    fitting = [pv for pv in volumes if volume_fits(pv, pvc, node, check_node)]
    if not fitting:
        return None
    prebound = [pv for pv in fitting if (pv.get("spec") or {}).get("claimRef")]
    if prebound:
        return prebound[0]
    return min(fitting, key=lambda pv: (volume_capacity(pv), name_of(pv)))


def claim_reference(pvc: Obj) -> dict[str, Any]:
    """The ``spec.claimRef`` a bound volume carries."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "name": name_of(pvc),
        "namespace": namespace_of(pvc),
        "resourceVersion": pvc["metadata"].get("resourceVersion", ""),
        "uid": uid_of(pvc),
    }


def provisioned_volume(pvc: Obj, sc: Obj, node: str | None) -> Obj:
    """The PersistentVolume an external provisioner creates for ``pvc`` of class ``sc``.

    Named ``pvc-<claim uid>``, capacity = the request, the claim's access modes, the class's
    reclaim policy, pre-bound to the claim; a ``WaitForFirstConsumer`` class pins it to
    ``node`` with a required node affinity (like local-path / topology-aware CSI drivers).
    """
    spec = pvc.get("spec") or {}
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    provisioner = str(sc.get("provisioner", ""))
    pv_spec: dict[str, Any] = {
        "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
        "capacity": {"storage": storage},
        "claimRef": claim_reference(pvc),
        "csi": {
            "driver": provisioner,
            "fsType": "ext4",
            "volumeHandle": f"vol-{uid_of(pvc)}",
        },
        "persistentVolumeReclaimPolicy": str(sc.get("reclaimPolicy") or "Delete"),
        "storageClassName": name_of(sc),
        "volumeMode": _volume_mode(pvc),
    }
    if node:
        pv_spec["nodeAffinity"] = {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
                        ]
                    }
                ]
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": f"pvc-{uid_of(pvc)}",
            "annotations": {ANN_PROVISIONED_BY: provisioner},
            "finalizers": [PV_PROTECTION],
        },
        "spec": pv_spec,
        "status": {"phase": "Pending"},
    }


def pods_using_claim(pods: list[Obj], claim_name: str) -> list[Obj]:
    """Pods (of the claim's namespace) that mount ``claim_name`` and still use it: scheduled
    and not in a terminal phase (a Terminating pod still has its volume mounted)."""
    users = []
    for pod in pods:
        spec = pod.get("spec") or {}
        if not spec.get("nodeName"):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for vol in spec.get("volumes") or []:
            if (vol.get("persistentVolumeClaim") or {}).get("claimName") == claim_name:
                users.append(pod)
                break
    return users
