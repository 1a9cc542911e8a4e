"""Online volume expansion, as the CSI external-resizer and the kubelet do it.

Raising a bound claim's ``spec.resources.requests.storage`` on a class with
``allowVolumeExpansion: true`` (``standard``) goes through two steps:

1. **Controller expansion** (external-resizer): the claim gets the ``Resizing`` condition,
   ``status.allocatedResources`` and ``allocatedResourceStatuses: {storage:
   ControllerResizeInProgress}``, event ``Resizing`` ``External resizer is resizing volume
   pvc-…``. After ``timings.provision`` seconds the volume's capacity is the new size, event
   ``FileSystemResizeRequired`` ``Require file system resize of volume on node`` and the
   condition ``FileSystemResizePending`` (``NodeResizePending``).
2. **Node expansion** (kubelet), as soon as a running pod mounts the claim: ``status.capacity``
   becomes the new size, the conditions go, event ``FileSystemResizeSuccessful``
   ``MountVolume.NodeExpandVolume succeeded for volume "pvc-…" worker-1``. With no pod, the
   claim waits in ``FileSystemResizePending`` until one starts.

Shrinking and classes without expansion are refused by API admission before they get here; a
claim whose class does not allow it is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import quantity
from engine.controllers import volume_binding as vb
from engine.objects import Obj, copy_obj, name_of, namespace_of, uid_of

if TYPE_CHECKING:
    from engine.controllers.volumes import VolumeController

PENDING_MESSAGE = (
    "Waiting for user to (re-)start a pod to finish file system resize of volume on node."
)


def _requested(pvc: Obj) -> str | None:
    return (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")


def _condition(ctype: str, now: str, message: str = "") -> dict[str, Any]:
    cond: dict[str, Any] = {
        "type": ctype,
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": now,
    }
    if message:
        cond["message"] = message
    return cond


def sync_expansion(ctl: VolumeController, pvc: Obj, pv: Obj) -> None:
    """Advance a bound claim's expansion by whatever step is due."""
    wanted = _requested(pvc)
    if wanted is None:
        return
    want = quantity.value_of(wanted)
    if want is None:
        return
    have = quantity.amount(((pvc.get("status") or {}).get("capacity") or {}).get("storage", 0))
    if want <= have:
        return
    if vb.volume_capacity(pv) < want:
        _start_controller_resize(ctl, pvc, pv, wanted)
    else:
        _node_resize(ctl, pvc, pv)


def _allowed(ctl: VolumeController, pvc: Obj) -> bool:
    sc = ctl.store.get("StorageClass", "", vb.claim_class(pvc))
    return bool(sc and sc.get("allowVolumeExpansion"))


def _resizer(ctl: VolumeController, pv: Obj) -> str:
    driver = ((pv.get("spec") or {}).get("csi") or {}).get("driver", "")
    return f"external-resizer {driver}"


def _start_controller_resize(ctl: VolumeController, pvc: Obj, pv: Obj, wanted: str) -> None:
    status = pvc.get("status") or {}
    if not _allowed(ctl, pvc) or (status.get("allocatedResources") or {}).get("storage") == wanted:
        return  # not expandable, or this size is already in progress
    now = ctl.clock.timestamp()
    new = copy_obj(pvc)
    st = new.setdefault("status", {})
    st["allocatedResources"] = {"storage": wanted}
    st["allocatedResourceStatuses"] = {"storage": "ControllerResizeInProgress"}
    st["conditions"] = [_condition("Resizing", now)]
    ctl.store.update(new)
    ctl.cluster.events.normal(
        new, "Resizing", f"External resizer is resizing volume {name_of(pv)}", _resizer(ctl, pv)
    )
    ns, name, uid = namespace_of(pvc), name_of(pvc), uid_of(pvc)
    ctl.clock.call_later(
        ctl.cluster.timings.provision, lambda: _finish_controller_resize(ctl, ns, name, uid, wanted)
    )


def _finish_controller_resize(
    ctl: VolumeController, ns: str, name: str, uid: str, wanted: str
) -> None:
    pvc = ctl.store.get("PersistentVolumeClaim", ns, name)
    if pvc is None or uid_of(pvc) != uid:
        return
    pv = ctl.store.get("PersistentVolume", "", (pvc.get("spec") or {}).get("volumeName", ""))
    if pv is None:
        return
    new_pv = copy_obj(pv)
    new_pv["spec"]["capacity"] = {"storage": wanted}
    ctl.store.update(new_pv)
    new = copy_obj(pvc)
    st = new.setdefault("status", {})
    st["allocatedResourceStatuses"] = {"storage": "NodeResizePending"}
    st["conditions"] = [
        _condition("FileSystemResizePending", ctl.clock.timestamp(), PENDING_MESSAGE)
    ]
    stored = ctl.store.update(new)
    ctl.cluster.events.normal(
        stored,
        "FileSystemResizeRequired",
        "Require file system resize of volume on node",
        _resizer(ctl, pv),
    )
    ctl.enqueue(f"pvc:{ns}/{name}")


def _node_resize(ctl: VolumeController, pvc: Obj, pv: Obj) -> None:
    """The kubelet of a running pod that mounts the claim grows the file system."""
    users = [
        p
        for p in vb.pods_using_claim(ctl.store.list("Pod", namespace_of(pvc)), name_of(pvc))
        if (p.get("status") or {}).get("phase") == "Running"
        and not p["metadata"].get("deletionTimestamp")
    ]
    if not users:
        return
    node = str(users[0]["spec"].get("nodeName", ""))
    new = copy_obj(pvc)
    st = new.setdefault("status", {})
    st["capacity"] = dict((pv.get("spec") or {}).get("capacity") or {})
    for key in ("allocatedResourceStatuses", "conditions"):
        st.pop(key, None)
    stored = ctl.store.update(new)
    ctl.cluster.events.normal(
        stored,
        "FileSystemResizeSuccessful",
        f'MountVolume.NodeExpandVolume succeeded for volume "{name_of(pv)}" {node}',
        "kubelet",
        host=node,
    )
