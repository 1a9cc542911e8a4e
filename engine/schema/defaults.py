"""API defaulting: what the API server fills in before it stores an object.

Sources: kubernetes/kubernetes ``pkg/apis/core/v1/defaults.go`` (Pod, Container, Probe,
Service, PVC, PV, Namespace), ``pkg/apis/apps/v1/defaults.go`` (StatefulSet, Deployment,
ReplicaSet), ``pkg/apis/storage/v1/defaults.go`` (StorageClass), plus what the registry
strategies set on create (pod ``status.phase: Pending`` and ``qosClass``, namespace ``Active``).
The admission plugins that touch only new Pods (ServiceAccount, Priority,
DefaultTolerationSeconds) are in :func:`default_new_pod`.

Every function only fills what is missing, so running it again (on every update) changes
nothing: defaulting is idempotent, as the API's is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.objects import Obj
from engine.quantity import value_of
from engine.schema.core import VOLUME_SOURCES

Dict = dict[str, Any]


def _digest_or_tag(image: str) -> tuple[str, str]:
    if "@" in image:
        return "digest", image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return ("tag", last.split(":", 1)[1]) if ":" in last else ("", "")


def pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or untagged images, else ``IfNotPresent``."""
    kind, tag = _digest_or_tag(image)
    if kind == "digest":
        return "IfNotPresent"
    return "Always" if not tag or tag == "latest" else "IfNotPresent"


def _probe(probe: Dict | None) -> None:
    if not probe:
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def _container(c: Dict) -> None:
    c.setdefault("imagePullPolicy", pull_policy(str(c.get("image") or "")))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for env in c.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(key))


_MODE_SOURCES = ("configMap", "secret", "projected", "downwardAPI")


def _volume(v: Dict) -> None:
    if not any(k in v for k in VOLUME_SOURCES):
        v["emptyDir"] = {}
    for key in _MODE_SOURCES:
        if isinstance(v.get(key), dict):
            v[key].setdefault("defaultMode", 420)
    if isinstance(v.get("hostPath"), dict):
        v["hostPath"].setdefault("type", "")


def default_pod_spec(spec: Dict) -> None:
    """``SetDefaults_PodSpec`` and the container/volume/probe defaulters under it."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for c in spec.get("containers") or []:
        _container(c)
    for c in spec.get("initContainers") or []:
        _container(c)
    for v in spec.get("volumes") or []:
        _volume(v)


def _template(obj: Obj) -> None:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))


def _pvc_spec(spec: Dict) -> None:
    spec.setdefault("volumeMode", "Filesystem")


def default_statefulset(obj: Obj) -> None:
    """``SetDefaults_StatefulSet`` (MaxUnavailableStatefulSet on, as in 1.35)."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("partition", 0)
        rolling.setdefault("maxUnavailable", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    policy = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    policy.setdefault("whenDeleted", "Retain")
    policy.setdefault("whenScaled", "Retain")
    _template(obj)
    for claim in spec.get("volumeClaimTemplates") or []:
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        claim.setdefault("metadata", {})
        _pvc_spec(claim.setdefault("spec", {}))
        claim.setdefault("status", {}).setdefault("phase", "Pending")


def default_deployment(obj: Obj) -> None:
    """``SetDefaults_Deployment``."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(obj)


def default_replicaset(obj: Obj) -> None:
    """``SetDefaults_ReplicaSet``."""
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj)


def default_service(obj: Obj) -> None:
    """``SetDefaults_Service`` and the registry's clusterIPs/ipFamilies normalisation."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    obj.setdefault("status", {}).setdefault("loadBalancer", {})
    kind = spec["type"]
    if kind == "ExternalName":
        return
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")


def default_pvc(obj: Obj) -> None:
    """``SetDefaults_PersistentVolumeClaim(Spec)``."""
    _pvc_spec(obj.setdefault("spec", {}))
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def default_pv(obj: Obj) -> None:
    """``SetDefaults_PersistentVolume``."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    if isinstance(spec.get("hostPath"), dict):
        spec["hostPath"].setdefault("type", "")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def default_namespace(obj: Obj) -> None:
    """The ``kubernetes.io/metadata.name`` label (always), the ``kubernetes`` finalizer and
    phase ``Active`` (namespace strategy)."""
    md = obj.setdefault("metadata", {})
    md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md.get("name", "")
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")


def default_storage_class(obj: Obj) -> None:
    """``SetDefaults_StorageClass``."""
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def default_pod(obj: Obj) -> None:
    """``SetDefaults_Pod``: requests default to limits (pods only, not templates), then the
    pod spec defaults."""
    spec = obj.setdefault("spec", {})
    for c in spec.get("containers") or []:
        limits = (c.get("resources") or {}).get("limits")
        if limits:
            requests = c["resources"].setdefault("requests", {})
            for name, value in limits.items():
                requests.setdefault(name, value)
    spec.setdefault("enableServiceLinks", True)  # SetDefaults_Pod only: templates keep none
    default_pod_spec(spec)


DEFAULTERS: dict[str, Callable[[Obj], None]] = {
    "Pod": default_pod,
    "StatefulSet": default_statefulset,
    "Deployment": default_deployment,
    "ReplicaSet": default_replicaset,
    "Service": default_service,
    "PersistentVolumeClaim": default_pvc,
    "PersistentVolume": default_pv,
    "Namespace": default_namespace,
    "StorageClass": default_storage_class,
}


def apply_defaults(obj: Obj) -> Obj:
    """Fill the API defaults of ``obj`` in place (unknown kinds untouched); returns it."""
    defaulter = DEFAULTERS.get(str(obj.get("kind")))
    if defaulter is not None:
        defaulter(obj)
    return obj


NOT_READY_TOLERATIONS = (
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
)


def default_new_pod(pod: Obj) -> None:
    """What admission plugins and the pod strategy add to a *new* Pod: service account
    ``default``, priority 0 / ``PreemptLowerPriority``, the not-ready/unreachable NoExecute
    tolerations (300 s), ``status.phase: Pending`` and ``qosClass``."""
    spec = pod.setdefault("spec", {})
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    for default in NOT_READY_TOLERATIONS:
        if not any(
            t.get("key") == default["key"] and t.get("effect") in (None, "", "NoExecute")
            for t in tolerations
        ):
            tolerations.append(dict(default))
    status = pod.setdefault("status", {})
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", qos_class(spec))


def qos_class(spec: Dict) -> str:
    """``Guaranteed`` | ``Burstable`` | ``BestEffort`` (``qos.GetPodQOS``, cpu and memory)."""
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    guaranteed = True
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        req = {k: v for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: v for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests.update({k: v for k, v in req.items() if value_of(v)})
        limits.update({k: v for k, v in lim.items() if value_of(v)})
        if set(lim) != {"cpu", "memory"}:
            guaranteed = False
        for name, value in req.items():
            if name in lim and value_of(lim[name]) != value_of(value):
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
