"""What the keys ask the cluster to do (no Textual).

Each function sends one intent to :class:`~engine.cluster.Cluster` and returns the short
message the app shows as a notification. Engine errors (``NotFound`` when the object vanished,
``Invalid``, a controller not available yet) propagate; the screen turns them into error
notifications. Describe and YAML texts come from the shared command language and manifest
code, falling back to the error text if those fail.
"""

from __future__ import annotations

from engine.cluster import Cluster
from engine.objects import KINDS, Obj, annotations_of, controller_ref, is_namespaced, resource_ref
from engine.pod_runtime import KUBELET_ANNOTATION, READINESS_ANNOTATION
from tui.rows import Ref

#: kinds ``+``/``-`` can scale
SCALABLE = ("StatefulSet", "Deployment", "ReplicaSet")

#: kinds whose delete means something in the playground (events and PVs too)
DELETABLE = tuple(KINDS)


class IntentError(ValueError):
    """The intent does not apply to the selected object."""


def scale(cluster: Cluster, ref: Ref, delta: int) -> str:
    """Change the workload's replicas by ``delta`` (not below 0).

    On a pod this scales the workload that owns it: its StatefulSet, or the Deployment behind
    its ReplicaSet (scaling that ReplicaSet by hand would be undone by the Deployment).
    """
    if ref.kind == "Pod":
        ref = _workload_of(cluster, cluster.store.must_get("Pod", ref.namespace, ref.name))
    if ref.kind not in SCALABLE:
        raise IntentError(f"{ref.kind} {ref.name} cannot be scaled")
    obj = cluster.store.must_get(ref.kind, ref.namespace, ref.name)
    replicas = max(0, int((obj.get("spec") or {}).get("replicas", 1)) + delta)
    cluster.scale(ref.kind, ref.namespace, ref.name, replicas)
    return f"{resource_ref(ref.kind, ref.name)} scaled to {replicas}"


def _workload_of(cluster: Cluster, pod: Obj) -> Ref:
    namespace = pod["metadata"].get("namespace", "")
    owner = controller_ref(pod)
    if owner is None:
        raise IntentError(f"pod {pod['metadata']['name']} has no workload to scale")
    if owner["kind"] == "ReplicaSet":
        replica_set = cluster.store.get("ReplicaSet", namespace, owner["name"])
        deployment = controller_ref(replica_set) if replica_set is not None else None
        if deployment is not None and deployment["kind"] == "Deployment":
            return Ref("Deployment", namespace, deployment["name"])
    return Ref(owner["kind"], namespace, owner["name"])


def delete(cluster: Cluster, ref: Ref, *, force: bool) -> str:
    """Delete the object, gracefully or forced (grace period 0)."""
    cluster.delete(ref.kind, ref.namespace, ref.name, force=force)
    resource = KINDS[ref.kind][1].rstrip("s") if ref.kind in KINDS else ref.kind.lower()
    where = f" from {ref.namespace} namespace" if is_namespaced(ref.kind) else ""
    verb = "force deleted" if force else "deleted"
    return f'{resource} "{ref.name}" {verb}{where}'


def _pod(cluster: Cluster, ref: Ref) -> Obj:
    if ref.kind != "Pod":
        raise IntentError("select a pod first (this key works in the pods panel)")
    return cluster.store.must_get("Pod", ref.namespace, ref.name)


def toggle_readiness(cluster: Cluster, ref: Ref) -> str:
    """Fail the pod's readiness probe, or let it pass again (state read from the pod)."""
    pod = _pod(cluster, ref)
    fail = annotations_of(pod).get(READINESS_ANNOTATION) != "fail"
    cluster.fault_readiness(ref.namespace, ref.name, fail)
    return f"{ref.name}: readiness probe {'failing' if fail else 'passing again'}"


def crash(cluster: Cluster, ref: Ref) -> str:
    """Crash the pod's container."""
    _pod(cluster, ref)
    cluster.fault_crash(ref.namespace, ref.name)
    return f"{ref.name}: container crashed"


def node_is_down(cluster: Cluster, node: str) -> bool:
    """Whether the playground has stopped ``node``'s kubelet (the node annotation the
    node-lifecycle controller keeps)."""
    obj = cluster.store.must_get("Node", "", node)
    return annotations_of(obj).get(KUBELET_ANNOTATION) == "stopped"


def toggle_node(cluster: Cluster, ref: Ref) -> str:
    """Take the pod's node down, or bring it back up."""
    pod = _pod(cluster, ref)
    node = (pod.get("spec") or {}).get("nodeName")
    if not node:
        raise IntentError(f"{ref.name} is not scheduled to a node yet")
    if node_is_down(cluster, str(node)):
        cluster.node_up(str(node))
        return f"node {node} is back up"
    cluster.node_down(str(node))
    return f"node {node} is down (NotReady after the grace period)"


def describe_text(cluster: Cluster, ref: Ref) -> tuple[str, bool]:
    """``kubectl describe`` output for the object: (text, is_error)."""
    from engine import kubectl

    resource = KINDS[ref.kind][1] if ref.kind in KINDS else ref.kind.lower()
    line = f"describe {resource} {ref.name}"
    if is_namespaced(ref.kind):
        line += f" -n {ref.namespace}"
    try:
        result = kubectl.run(cluster, line, ref.namespace or "default")
    except Exception as exc:  # shown in the viewer, never a crash
        return f"describe failed: {type(exc).__name__}: {exc}", True
    return result.text, result.code != 0


def yaml_text(cluster: Cluster, ref: Ref) -> tuple[str, bool]:
    """The object as YAML (``kubectl get -o yaml``): (text, is_error)."""
    from engine import manifests

    try:
        obj = cluster.store.must_get(ref.kind, ref.namespace, ref.name)
        return str(manifests.to_yaml(obj)), False
    except Exception as exc:  # shown in the viewer, never a crash
        return f"YAML view failed: {type(exc).__name__}: {exc}", True
