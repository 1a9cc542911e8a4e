"""Admission: API defaulting, validation and immutable fields on every store write."""

from __future__ import annotations

from typing import Any

import pytest

from engine.admission import AdmissionInvalid
from engine.cluster import Cluster
from engine.objects import Obj, copy_obj
from engine.schema.defaults import apply_defaults, pull_policy
from engine.store import Invalid


def pod(name: str = "p", **container: Any) -> Obj:
    c = {"name": "app", "image": "nginx:1.27", **container}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [c]},
    }


def sts(name: str = "web", **spec: Any) -> Obj:
    body: dict[str, Any] = {
        "serviceName": "nginx",
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
        },
        **spec,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": body,
    }


def pvc(name: str = "data", **spec: Any) -> Obj:
    body = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {**body, **spec},
    }


def test_pod_defaults(cluster: Cluster) -> None:
    stored = cluster.store.create(pod(readinessProbe={"httpGet": {"port": 80}},
                                      ports=[{"containerPort": 80}]))  # fmt: skip
    spec = stored["spec"]
    assert {k: spec[k] for k in (
        "restartPolicy", "terminationGracePeriodSeconds", "dnsPolicy", "schedulerName",
        "securityContext", "serviceAccountName", "serviceAccount", "enableServiceLinks",
        "priority", "preemptionPolicy",
    )} == {
        "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "securityContext": {}, "serviceAccountName": "default", "serviceAccount": "default",
        "enableServiceLinks": True, "priority": 0, "preemptionPolicy": "PreemptLowerPriority",
    }  # fmt: skip
    assert spec["tolerations"] == [
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
         "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
         "tolerationSeconds": 300},
    ]  # fmt: skip
    c = spec["containers"][0]
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["resources"] == {}
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert c["readinessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
    }  # fmt: skip
    assert stored["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("localhost:5000/app", "Always"),
        ("localhost:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:abcd", "IfNotPresent"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    assert pull_policy(image) == policy


def test_guaranteed_pod_gets_requests_from_limits(cluster: Cluster) -> None:
    stored = cluster.store.create(pod(resources={"limits": {"cpu": "500m", "memory": "128Mi"}}))
    assert stored["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "500m",
        "memory": "128Mi",
    }
    assert stored["status"]["qosClass"] == "Guaranteed"


def test_defaulting_is_idempotent(cluster: Cluster) -> None:
    once = apply_defaults(sts())
    assert apply_defaults(copy_obj(once)) == once
    stored = cluster.store.create(pod())
    rv = cluster.store.resource_version
    assert cluster.store.update(copy_obj(stored)) is stored
    assert cluster.store.resource_version == rv


def test_statefulset_defaults(cluster: Cluster) -> None:
    claim = {"metadata": {"name": "www"}, "spec": pvc()["spec"]}
    spec = cluster.store.create(sts(volumeClaimTemplates=[claim]))["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    }
    assert spec["revisionHistoryLimit"] == 10
    template = spec["volumeClaimTemplates"][0]
    assert template["apiVersion"] == "v1"
    assert template["kind"] == "PersistentVolumeClaim"
    assert template["spec"]["volumeMode"] == "Filesystem"
    assert template["status"] == {"phase": "Pending"}
    assert "serviceAccountName" not in spec["template"]["spec"]  # pod-only admission


def test_on_delete_strategy_gets_no_rolling_update(cluster: Cluster) -> None:
    spec = cluster.store.create(sts(updateStrategy={"type": "OnDelete"}))["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}


def test_deployment_defaults(cluster: Cluster) -> None:
    dep = sts()
    dep["kind"] = "Deployment"
    dep["metadata"]["name"] = "api"
    del dep["spec"]["serviceName"]
    spec = cluster.store.create(dep)["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)


def test_service_defaults(cluster: Cluster) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"},
                                                        {"port": 443, "name": "https"}]},
    }  # fmt: skip
    svc["spec"]["ports"][0]["name"] = "http"
    spec = cluster.store.create(svc)["spec"]
    assert spec["ports"] == [
        {"port": 80, "targetPort": "http", "name": "http", "protocol": "TCP"},
        {"port": 443, "name": "https", "protocol": "TCP", "targetPort": 443},
    ]
    assert (spec["type"], spec["sessionAffinity"], spec["internalTrafficPolicy"]) == (
        "ClusterIP",
        "None",
        "Cluster",
    )
    assert (spec["ipFamilies"], spec["ipFamilyPolicy"]) == (["IPv4"], "SingleStack")


def test_claim_gets_the_default_storage_class(cluster: Cluster) -> None:
    assert cluster.store.create(pvc())["spec"]["storageClassName"] == "standard"
    explicit = cluster.store.create(pvc("raw", storageClassName=""))
    assert explicit["spec"]["storageClassName"] == ""
    assert explicit["spec"]["volumeMode"] == "Filesystem"
    assert explicit["status"] == {"phase": "Pending"}


def test_persistent_volume_defaults(cluster: Cluster) -> None:
    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "pv1"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                 "hostPath": {"path": "/data"}},
    }  # fmt: skip
    spec = cluster.store.create(pv)["spec"]
    assert (spec["persistentVolumeReclaimPolicy"], spec["volumeMode"]) == ("Retain", "Filesystem")
    assert spec["hostPath"] == {"path": "/data", "type": ""}


def test_namespace_defaults(cluster: Cluster) -> None:
    ns = cluster.store.create({"apiVersion": "v1", "kind": "Namespace",
                               "metadata": {"name": "shop"}})  # fmt: skip
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "shop"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}


# -- validation on any write -------------------------------------------------------------


def test_invalid_pod_is_rejected_from_any_writer(cluster: Cluster) -> None:
    bad = pod()
    del bad["spec"]["containers"][0]["image"]
    with pytest.raises(Invalid) as exc:
        cluster.store.create(bad)
    assert str(exc.value) == 'Pod "p" is invalid: spec.containers[0].image: Required value'
    assert cluster.store.get("Pod", "default", "p") is None


def test_several_errors_are_aggregated(cluster: Cluster) -> None:
    with pytest.raises(AdmissionInvalid) as exc:
        cluster.store.create(sts(replicas=-1, podManagementPolicy="Random"))
    assert str(exc.value) == (
        'StatefulSet.apps "web" is invalid: [spec.podManagementPolicy: Invalid value: "Random": '
        "must be 'OrderedReady' or 'Parallel', spec.replicas: Invalid value: -1: must be "
        "greater than or equal to 0]"
    )
    assert len(exc.value.errors) == 2
    assert exc.value.kubectl_message.startswith('The StatefulSet "web" is invalid: [spec.')


def test_negative_scale_is_rejected(cluster: Cluster) -> None:
    cluster.store.create(sts())
    with pytest.raises(Invalid) as exc:
        cluster.scale("StatefulSet", "default", "web", -1)
    assert str(exc.value) == (
        'StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater '
        "than or equal to 0"
    )


# -- immutable fields --------------------------------------------------------------------


def test_statefulset_spec_fields_are_immutable(cluster: Cluster) -> None:
    stored = cluster.store.create(sts())
    changed = copy_obj(stored)
    changed["spec"]["serviceName"] = "other"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(changed)
    assert str(exc.value) == (
        'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for '
        "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
        "are forbidden"
    )
    allowed = copy_obj(stored)
    allowed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    allowed["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    assert cluster.store.update(allowed)["metadata"]["generation"] == 2


def test_deployment_selector_is_immutable(cluster: Cluster) -> None:
    dep = sts()
    dep["kind"] = "Deployment"
    stored = cluster.store.create(dep)
    changed = copy_obj(stored)
    changed["spec"]["selector"]["matchLabels"]["tier"] = "web"
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = "web"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(changed)
    assert str(exc.value) == (
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":'
        '"nginx","tier":"web"}}: field is immutable'
    )


def test_pod_spec_is_immutable_but_binding_and_image_are_allowed(cluster: Cluster) -> None:
    stored = cluster.store.create(pod())
    bound = copy_obj(stored)
    bound["spec"]["nodeName"] = "worker-1"
    bound["spec"]["containers"][0]["image"] = "nginx:1.28"
    stored = cluster.store.update(bound)
    moved = copy_obj(stored)
    moved["spec"]["nodeName"] = "worker-2"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(moved)
    assert str(exc.value).startswith(
        'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`"
    )


def test_service_keeps_its_cluster_ip(cluster: Cluster) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"clusterIP": "10.96.7.7", "ports": [{"port": 80}]},
    }
    stored = cluster.store.create(svc)
    dropped = copy_obj(stored)
    del dropped["spec"]["clusterIP"], dropped["spec"]["clusterIPs"]
    assert cluster.store.update(dropped)["spec"]["clusterIPs"] == ["10.96.7.7"]
    changed = copy_obj(stored)
    changed["spec"]["clusterIP"] = "10.96.8.8"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(changed)
    assert str(exc.value) == (
        'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.8.8"]: may not '
        "change once set"
    )


def _bound(cluster: Cluster, claim: Obj) -> Obj:
    stored = copy_obj(cluster.store.create(claim))
    stored["spec"]["volumeName"] = "pv-1"
    stored["status"] = {"phase": "Bound", "capacity": {"storage": "1Gi"}}
    return copy_obj(cluster.store.update(stored))


def test_claims_grow_only_when_bound_and_expandable(cluster: Cluster) -> None:
    claim = _bound(cluster, pvc())
    claim["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert cluster.store.update(claim)["spec"]["resources"]["requests"]["storage"] == "2Gi"
    local = _bound(cluster, pvc("fixed", storageClassName="local"))
    local["spec"]["resources"]["requests"]["storage"] = "2Gi"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(local)
    assert str(exc.value) == (
        'PersistentVolumeClaim "fixed" is invalid: spec.resources.requests.storage: '
        "Forbidden: only dynamically provisioned pvc can be resized and the storageclass that "
        "provisions the pvc must support resize"
    )
    shrink = _bound(cluster, pvc("small"))
    shrink["spec"]["resources"]["requests"]["storage"] = "512Mi"
    with pytest.raises(Invalid, match=r"field can not be less than status\.capacity"):
        cluster.store.update(shrink)


def test_unbound_claim_spec_is_immutable(cluster: Cluster) -> None:
    claim = copy_obj(cluster.store.create(pvc()))
    claim["spec"]["accessModes"] = ["ReadWriteMany"]
    with pytest.raises(Invalid) as exc:
        cluster.store.update(claim)
    assert str(exc.value) == (
        'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after '
        "creation except resources.requests and volumeAttributesClassName for bound claims"
    )


def test_storage_class_is_immutable(cluster: Cluster) -> None:
    sc = copy_obj(cluster.store.must_get("StorageClass", "", "standard"))
    sc["reclaimPolicy"] = "Retain"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(sc)
    assert str(exc.value) == (
        'StorageClass.storage.k8s.io "standard" is invalid: reclaimPolicy: Forbidden: updates to '
        "reclaimPolicy are forbidden."
    )


def _every_kind() -> list[Obj]:
    dep = sts("api")
    dep["kind"] = "Deployment"
    del dep["spec"]["serviceName"]
    rs = copy_obj(dep)
    rs["kind"], rs["metadata"]["name"] = "ReplicaSet", "api-1"
    claim = {"metadata": {"name": "www"}, "spec": pvc()["spec"]}
    return [
        pod(livenessProbe={"tcpSocket": {"port": 80}}, env=[{"name": "N", "valueFrom": {
            "fieldRef": {"fieldPath": "metadata.name"}}}]),
        sts(volumeClaimTemplates=[claim]),
        dep,
        rs,
        pvc(),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
         "spec": {"type": "NodePort", "sessionAffinity": "ClientIP", "ports": [{"port": 80}]}},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                  "nfs": {"server": "nfs", "path": "/x"}}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
         "provisioner": "example.com/fast"},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    ]  # fmt: skip


@pytest.mark.parametrize("obj", _every_kind(), ids=lambda o: str(o["kind"]))
def test_rewriting_a_stored_object_changes_nothing(cluster: Cluster, obj: Obj) -> None:
    stored = cluster.store.create(obj)
    rv = cluster.store.resource_version
    assert cluster.store.update(copy_obj(stored)) is stored
    assert cluster.store.resource_version == rv
    assert apply_defaults(copy_obj(stored)) == stored


def test_on_delete_needs_rolling_update_cleared(cluster: Cluster) -> None:
    stored = copy_obj(cluster.store.create(sts()))
    stored["spec"]["updateStrategy"]["type"] = "OnDelete"
    with pytest.raises(Invalid) as exc:
        cluster.store.update(stored)
    assert str(exc.value) == (
        'StatefulSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: '
        '{"Partition":0,"MaxUnavailable":1}: only allowed for updateStrategy \'RollingUpdate\''
    )
    stored["spec"]["updateStrategy"] = {"type": "Sometimes"}
    with pytest.raises(Invalid, match=r'Invalid value: \{"Type":"Sometimes","RollingUpdate":null'):
        cluster.store.update(stored)
    stored["spec"]["updateStrategy"] = {"type": "OnDelete"}
    assert cluster.store.update(stored)["spec"]["updateStrategy"] == {"type": "OnDelete"}
