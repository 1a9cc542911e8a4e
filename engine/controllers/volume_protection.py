"""The storage-object-in-use protection controllers (``pkg/controller/volume/pvcprotection``,
``pvprotection``) as one controller named ``pvc-protection-controller``.

* ``kubernetes.io/pvc-protection`` is added to every live claim (the real admission plugin adds
  it on create; the controller adds it if missing). A deleted claim keeps it — and shows
  ``Terminating`` — while a scheduled pod in a non-terminal phase mounts the claim (a
  Terminating pod still has it mounted); then it is removed and the claim disappears.
* ``kubernetes.io/pv-protection`` is added to every live volume and removed from a deleted
  volume once it is no longer Bound.

Keys are ``pvc:<ns>/<name>`` and ``pv:<name>``.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.controllers import volume_binding as vb
from engine.controllers.base import Controller, make_key, split_key
from engine.objects import Obj, name_of, namespace_of, thaw
from engine.store import WatchEvent

#: store index: Pod → ``<namespace>/<claim>`` of every claim it mounts
CLAIM_INDEX = "pvc-protection-claims"


def _claim_keys(pod: Obj) -> list[str]:
    ns = namespace_of(pod)
    return [
        make_key(ns, claim)
        for vol in (pod.get("spec") or {}).get("volumes") or []
        if (claim := (vol.get("persistentVolumeClaim") or {}).get("claimName"))
    ]


def _claim_key(obj: Obj) -> str:
    return "pvc:" + make_key(namespace_of(obj), name_of(obj))


class PVCProtectionController(Controller):
    """The pvc-protection and pv-protection finalizers (``pkg/controller/volume/pvcprotection``,
    ``pvprotection``)."""

    name = "pvc-protection-controller"

    def setup(self) -> None:
        """Watch claims, volumes and the pods that mount claims."""
        self.store.subscribe(lambda ev: self.enqueue(_claim_key(ev.obj)), ["PersistentVolumeClaim"])
        self.store.subscribe(lambda ev: self.enqueue("pv:" + name_of(ev.obj)), ["PersistentVolume"])
        self.store.subscribe(self._on_pod, ["Pod"])
        if not self.store.has_index("Pod", CLAIM_INDEX):
            self.store.add_index(
                "Pod", CLAIM_INDEX, _claim_keys, reads=["metadata.namespace", "spec.volumes"]
            )

    def _on_pod(self, ev: WatchEvent) -> None:
        for vol in (ev.obj.get("spec") or {}).get("volumes") or []:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                self.enqueue("pvc:" + make_key(namespace_of(ev.obj), claim))

    def sync(self, key: str) -> None:
        """Add or remove the protection finalizer of a claim or volume."""
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            ns, name = split_key(rest)
            pvc = self.store.get("PersistentVolumeClaim", ns, name)
            if pvc is not None:
                self._reconcile(pvc, vb.PVC_PROTECTION, lambda: self._claim_in_use(ns, name))
        else:
            pv = self.store.get("PersistentVolume", "", rest)
            if pv is not None:
                bound = (pv.get("status") or {}).get("phase") == "Bound"
                self._reconcile(pv, vb.PV_PROTECTION, lambda: bound)

    def _claim_in_use(self, namespace: str, name: str) -> bool:
        pods = self.store.by_index("Pod", CLAIM_INDEX, make_key(namespace, name))
        return bool(vb.pods_using_claim(pods, name))

    def _reconcile(self, obj: Obj, finalizer: str, in_use: Callable[[], bool]) -> None:
        """Add the finalizer to a live object; drop it from a deleted one no longer
        ``in_use()`` (asked only then: it may cost a lookup)."""
        finalizers = list(obj["metadata"].get("finalizers") or [])
        deleting = bool(obj["metadata"].get("deletionTimestamp"))
        if not deleting and finalizer not in finalizers:
            new = thaw(obj, "metadata")
            new["metadata"]["finalizers"] = [*finalizers, finalizer]
            self.store.update(new, adopt=True)
        elif deleting and finalizer in finalizers and not in_use():
            new = thaw(obj, "metadata")
            rest = [f for f in finalizers if f != finalizer]
            if rest:
                new["metadata"]["finalizers"] = rest
            else:
                new["metadata"].pop("finalizers", None)
            self.store.update(new, adopt=True)
