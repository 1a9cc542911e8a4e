"""Pod control: the only place that writes pods and claims and records their events (STS-POD).

Each call mirrors ``StatefulPodControl``: ``create`` makes the pod's missing claims first (a
``create Claim …`` event each), then the pod (``create Pod …``), then sets claim ownership for the
retention policy; ``delete`` deletes a pod; ``update`` repairs identity, storage and claim
ownership; ``claims`` creates a Pending pod's missing claims. Errors come back as strings (the
Go ``error``), after the Warning event the real controller records. An ``AlreadyExists`` on pod
creation returns silently (a retry), exactly as upstream.

:meth:`PodControl.execute` runs a :class:`~engine.controllers.statefulset.control.Plan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.controllers.statefulset import identity, retention, spec
from engine.controllers.statefulset.steps import Action, Plan
from engine.objects import Obj, copy_obj, name_of, namespace_of
from engine.store import AlreadyExists, NotFound, StoreError

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMPONENT = "statefulset-controller"


def _aggregate(errors: list[str]) -> str | None:
    """utilerrors.NewAggregate's message: the error itself, or ``[a, b]``."""
    if not errors:
        return None
    return errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"


class PodControl:
    """Writes pods and claims for the StatefulSet controller and records the real events."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.store = cluster.store
        #: claim template names by set object, while a plan runs (its sets do not change)
        self._templates: dict[int, tuple[Obj, list[str]]] | None = None

    # -- plan ---------------------------------------------------------------------------------
    def execute(self, plan: Plan) -> list[str]:
        """Run the plan's steps in order; returns the errors.

        A failed action ends its step; the other steps of its batch still run, later ones not.
        """
        errors: list[str] = []
        failed_batch: int | None = None
        self._templates = {}
        try:
            for step in plan.steps:
                if failed_batch is not None and step.batch != failed_batch:
                    break
                for action in step.actions:
                    error = self.apply(action)
                    if error is not None:
                        errors.append(error)
                        failed_batch = step.batch
                        break
        finally:
            self._templates = None
        return errors

    def _claim_names(self, sts: Obj, ordinal: int) -> list[str]:
        """:func:`identity.claim_names`, the template names read once per set while a plan
        runs."""
        if self._templates is None:
            return identity.claim_names(sts, ordinal)
        known = self._templates.get(id(sts))
        if known is None or known[0] is not sts:
            names = [t["metadata"]["name"] for t in spec.claim_templates(sts)]
            known = self._templates[id(sts)] = (sts, names)
        return [identity.claim_name(t, name_of(sts), ordinal) for t in known[1]]

    def apply(self, action: Action) -> str | None:
        """Perform one action; returns its error, if any."""
        if action.verb == "create":
            return self.create(action.sts, action.pod)
        if action.verb == "delete":
            error = self.delete(action.sts, action.pod)
            return None if action.ignore_not_found and error == _not_found(action.pod) else error
        if action.verb == "update":
            return self.update(action.sts, action.pod)
        if action.verb == "claims":
            return self.create_missing_claims(action.sts, action.pod)
        return self.update_claims_for_retention(action.sts, action.pod)

    # -- pods ---------------------------------------------------------------------------------
    def create(self, sts: Obj, pod: Obj) -> str | None:
        """Create the pod's claims, then the pod (STS-POD ``CreateStatefulPod``). ``pod`` is
        built for this call (the planner's): the store keeps it, no copy."""
        error = self.create_claims(sts, pod)
        if error is not None:
            self.pod_event("create", sts, pod, error)
            return error
        try:
            self.store.create(pod, adopt=True)  # built for this call by the planner
        except AlreadyExists as exc:
            return str(exc)
        except StoreError as exc:
            self.pod_event("create", sts, pod, str(exc))
            return str(exc)
        error = self.update_claims_for_retention(sts, pod)
        if error is not None:
            self.pod_event("update", sts, pod, error)
            return error
        self.pod_event("create", sts, pod, None)
        return None

    def delete(self, sts: Obj, pod: Obj) -> str | None:
        """Delete the pod (its claims stay) (STS-POD ``DeleteStatefulPod``)."""
        error = None
        try:
            self.store.delete("Pod", namespace_of(pod), name_of(pod))
        except StoreError as exc:
            error = str(exc)
        self.pod_event("delete", sts, pod, error)
        return error

    def update(self, sts: Obj, stored: Obj) -> str | None:
        """Repair identity, storage and claim ownership (STS-POD ``UpdateStatefulPod``)."""
        pod = copy_obj(stored)
        consistent = True
        if not identity.identity_matches(sts, pod):
            identity.update_identity(sts, pod)
            consistent = False
        if not identity.storage_matches(sts, pod):
            identity.update_storage(sts, pod)
            consistent = False
            error = self.create_claims(sts, pod)
            if error is not None:
                self.pod_event("update", sts, pod, error)
                return error
        if not self.claims_match_policy(sts, pod):
            error = self.update_claims_for_retention(sts, pod)
            if error is not None:
                self.pod_event("update", sts, pod, error)
                return error
            consistent = False
        if consistent:
            return None
        error = None
        try:
            self.store.update(pod)
        except StoreError as exc:
            error = str(exc)
        self.pod_event("update", sts, pod, error)
        return error

    # -- claims -------------------------------------------------------------------------------
    def create_claims(self, sts: Obj, pod: Obj) -> str | None:
        """Create the pod's missing claims; a claim being deleted is an error."""
        errors: list[str] = []
        ordinal = identity.ordinal_of(pod)
        names = self._claim_names(sts, ordinal)
        existing = [self.store.get("PersistentVolumeClaim", namespace_of(sts), n) for n in names]
        if all(c is not None and not identity.is_terminating(c) for c in existing):
            return None
        for claim, stored in zip(identity.claims_for(sts, ordinal).values(), existing, strict=True):
            if stored is None:
                try:
                    self.store.create(claim, adopt=True)  # built for this call only
                    self.claim_event(sts, pod, claim, None)
                except AlreadyExists as exc:
                    errors.append(f"failed to create PVC {name_of(claim)}: {exc}")
                except StoreError as exc:
                    errors.append(f"failed to create PVC {name_of(claim)}: {exc}")
                    self.claim_event(sts, pod, claim, str(exc))
            elif identity.is_terminating(stored):
                errors.append(f"pvc {name_of(claim)} is being deleted")
        return _aggregate(errors)

    def create_missing_claims(self, sts: Obj, pod: Obj) -> str | None:
        """A Pending pod's missing claims, and their ownership."""
        error = self.create_claims(sts, pod)
        if error is not None:
            return error
        error = self.update_claims_for_retention(sts, pod)
        if error is not None:
            self.pod_event("update", sts, pod, error)
        return error

    def _claims(self, sts: Obj, pod: Obj) -> list[Obj]:
        found = []
        for name in self._claim_names(sts, identity.ordinal_of(pod)):
            stored = self.store.get("PersistentVolumeClaim", namespace_of(sts), name)
            if stored is not None:
                found.append(stored)
        return found

    def claims_match_policy(self, sts: Obj, pod: Obj) -> bool:
        """Every existing claim of the pod has the ownership its policy wants."""
        return all(retention.is_claim_owner_up_to_date(c, sts, pod) for c in self._claims(sts, pod))

    def update_claims_for_retention(self, sts: Obj, pod: Obj) -> str | None:
        """Rewrite claim ownerReferences for the retention policy (STS-POD
        ``UpdatePodClaimForRetentionPolicy``)."""
        for claim in self._claims(sts, pod):
            if retention.has_unexpected_controller(claim, sts, pod):
                self.cluster.events.warning(
                    sts,
                    "ConflictingController",
                    f"PersistentVolumeClaim {name_of(claim)} has a conflicting OwnerReference that "
                    "acts as a manging controller, the retention policy is ignored for this claim",
                    COMPONENT,
                )
            if retention.is_claim_owner_up_to_date(claim, sts, pod):
                continue
            updated = copy_obj(claim)
            retention.update_claim_owner_refs(updated, sts, pod)
            try:
                self.store.update(updated)
            except StoreError as exc:
                return f"could not update claim {name_of(claim)} for delete policy ownerRefs: {exc}"
        return None

    # -- events -------------------------------------------------------------------------------
    def pod_event(self, verb: str, sts: Obj, pod: Obj, error: str | None) -> None:
        """``SuccessfulCreate`` / ``FailedDelete`` … about a pod, on the StatefulSet."""
        if error is None:
            self.cluster.events.normal(
                sts,
                f"Successful{verb.title()}",
                f"{verb} Pod {name_of(pod)} in StatefulSet {name_of(sts)} successful",
                COMPONENT,
            )
        else:
            self.cluster.events.warning(
                sts,
                f"Failed{verb.title()}",
                f"{verb} Pod {name_of(pod)} in StatefulSet {name_of(sts)} failed error: {error}",
                COMPONENT,
            )

    def claim_event(self, sts: Obj, pod: Obj, claim: Obj, error: str | None) -> None:
        """``create Claim www-web-0 Pod web-0 in StatefulSet web success`` (sic)."""
        where = f"Pod {name_of(pod)} in StatefulSet {name_of(sts)}"
        if error is None:
            self.cluster.events.normal(
                sts, "SuccessfulCreate", f"create Claim {name_of(claim)} {where} success", COMPONENT
            )
        else:
            self.cluster.events.warning(
                sts,
                "FailedCreate",
                f"create Claim {name_of(claim)} for {where} failed error: {error}",
                COMPONENT,
            )


def _not_found(pod: Obj) -> str:
    return str(NotFound("Pod", namespace_of(pod), name_of(pod)))
