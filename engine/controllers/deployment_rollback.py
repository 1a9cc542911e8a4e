"""``kubectl rollout undo`` and ``kubectl rollout history`` for Deployments, as kubectl does
them client-side (``pkg/polymorphichelpers/rollback.go``, ``history.go``): undo copies the
chosen ReplicaSet's pod template (minus ``pod-template-hash``) and annotations into the
Deployment, which the controller then rolls out, reusing that ReplicaSet with the next
revision number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.controllers import deployment_util as du
from engine.objects import annotations_of, controller_ref, uid_of

if TYPE_CHECKING:
    from engine.cluster import Cluster


def rollback(cluster: Cluster, namespace: str, name: str, to_revision: int = 0) -> str:
    """``kubectl rollout undo deployment/<name> [--to-revision=N]``; returns kubectl's line.

    Copies the chosen ReplicaSet's pod template (minus ``pod-template-hash``) and annotations
    into the Deployment, which starts a rollout to it (the old ReplicaSet is reused and gets the
    next revision number).

    Raises:
        engine.store.NotFound: no such Deployment.
        RollbackError: paused deployment, unknown revision or no history (kubectl's message).
    """
    d = cluster.store.must_get("Deployment", namespace, name)
    if d["spec"].get("paused"):
        raise du.RollbackError(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
            "resume' and try again"
        )
    sets = [
        rs
        for rs in cluster.store.list("ReplicaSet", namespace)
        if (controller_ref(rs) or {}).get("uid") == uid_of(d)
    ]
    target = du.rs_for_revision(d, sets, to_revision)
    if du.equal_ignore_hash(target["spec"].get("template") or {}, d["spec"].get("template") or {}):
        return (
            f"deployment.apps/{name} skipped rollback (current template already matches "
            f"revision {du.revision(target)})"
        )
    cluster.store.update(du.rollback_patch(d, target))
    cluster.drain()
    return f"deployment.apps/{name} rolled back"


def history(cluster: Cluster, namespace: str, name: str) -> list[tuple[int, str]]:
    """(revision, change-cause) pairs of a Deployment's ReplicaSets, oldest first, as
    ``kubectl rollout history`` lists them (change-cause ``<none>`` when unset)."""
    d = cluster.store.must_get("Deployment", namespace, name)
    rows = []
    for rs in cluster.store.list("ReplicaSet", namespace):
        if (controller_ref(rs) or {}).get("uid") == uid_of(d) and du.revision(rs):
            rows.append((du.revision(rs), annotations_of(rs).get(du.CHANGE_CAUSE, "<none>")))
    return sorted(rows)
