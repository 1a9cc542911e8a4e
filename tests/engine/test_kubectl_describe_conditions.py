"""The ``Conditions:`` sections of ``kubectl describe`` (pkg/describe/describe.go).

ReplicaSets and Deployments print a Type / Status / Reason table after the pod template
(describeReplicaSet, describeDeployment); Nodes and PersistentVolumeClaims print six columns
with two times (describeNode, describePersistentVolumeClaim); a time that is not set prints as
Go's zero time. Every describer leaves the section out when the object has no conditions.
"""

from __future__ import annotations

import re

from engine.cluster import Cluster
from engine.objects import copy_obj
from tests.engine.fake_kubelet import isolated_cluster
from tests.engine.kubectl_helpers import ok
from tests.engine.test_replicaset_retry import bare_pod, replicaset
from tests.engine.test_volumes import _bound_claim, _resize
from tests.helpers import set_pod_status

POD_NAME = re.compile(r"\bweb-[bcdfghjklmnpqrstvwxz2456789]{5}\b")

RS_PAST_THE_QUOTA = """\
Name:         web
Namespace:    default
Selector:     app=web
Labels:       <none>
Annotations:  <none>
Replicas:     2 current / 3 desired
Pods Status:  0 Running / 2 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type             Status  Reason
  ----             ------  ------
  ReplicaFailure   True    FailedCreate
Events:
  Type     Reason            Age   From                   Message
  ----     ------            ----  ----                   -------
  Normal   SuccessfulCreate  0s    replicaset-controller  Created pod: web-*****
  Normal   SuccessfulCreate  0s    replicaset-controller  Created pod: web-*****
  Warning  FailedCreate      0s    replicaset-controller  Error creating: pods "web-*****" is forbidden: exceeded quota: playground, requested: pods=1, used: pods=3, limited: pods=3
  Warning  FailedCreate      0s    replicaset-controller  Error creating: pods "web-*****" is forbidden: exceeded quota: playground, requested: pods=1, used: pods=3, limited: pods=3
"""  # noqa: E501


def quota_cluster(max_pods: int) -> Cluster:
    """No node side (pods stay Pending), and a pod quota of ``max_pods``."""
    cluster = isolated_cluster()
    cluster.config.max_pods = max_pods
    return cluster


def test_a_replicaset_past_the_quota_shows_its_replica_failure() -> None:
    cluster = quota_cluster(3)
    cluster.store.create(bare_pod("hog"))
    cluster.store.create(replicaset(replicas=3))
    cluster.drain()
    text = ok(cluster, "describe rs web")
    assert POD_NAME.sub("web-*****", text) == RS_PAST_THE_QUOTA


def test_the_section_goes_with_the_condition() -> None:
    cluster = quota_cluster(3)
    cluster.store.create(replicaset(replicas=2))  # room for both
    cluster.drain()
    assert "Conditions:" not in ok(cluster, "describe rs web")
    cluster.scale("ReplicaSet", "default", "web", 4)  # one past the quota
    cluster.drain()
    assert "\nConditions:\n  Type             Status  Reason\n" in ok(cluster, "describe rs web")
    cluster.scale("ReplicaSet", "default", "web", 3)  # fits again: the next sync clears it
    cluster.settle()
    described = ok(cluster, "describe rs web")
    assert "Conditions:" not in described
    assert "\n  Tolerations:     <none>\nEvents:\n" in described


def test_a_deployment_past_the_quota_lists_all_three_conditions() -> None:
    cluster = quota_cluster(1)
    cluster.apply(
        "deploy.yaml",
        """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
""",
    )
    cluster.drain()
    text = ok(cluster, "describe deploy web")
    (rs,) = cluster.store.list("ReplicaSet", "default")
    # the table shares its first column with the ReplicaSet lines that follow it
    assert (
        "  Tolerations:     <none>\n"
        "Conditions:\n"
        "  Type             Status  Reason\n"
        "  ----             ------  ------\n"
        "  Available        False   MinimumReplicasUnavailable\n"
        "  Progressing      True    ReplicaSetUpdated\n"
        "  ReplicaFailure   True    FailedCreate\n"
        "OldReplicaSets:    <none>\n"
        f"NewReplicaSet:     {rs['metadata']['name']} (1/2 replicas created)\n"
        "Events:\n"
    ) in text


def test_a_resizing_claim_shows_its_conditions_with_go_zero_probe_times(
    cluster: Cluster,
) -> None:
    _bound_claim(cluster, "data")
    _resize(cluster, "data", "3Gi")
    cluster.drain()
    resizing = ok(cluster, "describe pvc data")
    assert (
        "Used By:       <none>\n"
        "Conditions:\n"
        "  Type       Status  LastProbeTime                     LastTransitionTime"
        "                Reason  Message\n"
        "  ----       ------  -----------------                 ------------------"
        "                ------  -------\n"
        "  Resizing   True    Mon, 01 Jan 0001 00:00:00 +0000   Mon, 06 Jul 2026 10:00:01 +0000"
        "           \n"
        "Events:\n"
    ) in resizing
    cluster.settle()  # controller expansion done; no pod mounts it, so the node step waits
    pending = ok(cluster, "describe pvc data")
    assert (
        "Conditions:\n"
        "  Type                      Status  LastProbeTime                     LastTransitionTime"
        "                Reason  Message\n"
        "  ----                      ------  -----------------                 ------------------"
        "                ------  -------\n"
        "  FileSystemResizePending   True    Mon, 01 Jan 0001 00:00:00 +0000"
        "   Mon, 06 Jul 2026 10:00:02 +0000           Waiting for user to (re-)start a pod to "
        "finish file system resize of volume on node.\n"
        "Events:\n"
    ) in pending


def test_a_claim_without_conditions_has_no_section(cluster: Cluster) -> None:
    _bound_claim(cluster, "data")
    assert "Used By:       <none>\nEvents:\n" in ok(cluster, "describe pvc data")


def test_node_conditions(cluster: Cluster) -> None:
    text = ok(cluster, "describe node worker-1")
    at = "Mon, 06 Jul 2026 10:00:00 +0000"
    assert (
        "  RenewTime:       Mon, 06 Jul 2026 10:00:00 +0000\n"
        "Conditions:\n"
        "  Type             Status  LastHeartbeatTime                 LastTransitionTime"
        "                Reason                       Message\n"
        "  ----             ------  -----------------                 ------------------"
        "                ------                       -------\n"
        f"  MemoryPressure   False   {at}   {at}   KubeletHasSufficientMemory"
        "   kubelet has sufficient memory available\n"
        f"  DiskPressure     False   {at}   {at}   KubeletHasNoDiskPressure"
        "     kubelet has no disk pressure\n"
        f"  PIDPressure      False   {at}   {at}   KubeletHasSufficientPID"
        "      kubelet has sufficient PID available\n"
        f"  Ready            True    {at}   {at}   KubeletReady"
        "                 kubelet is posting ready status\n"
        "Addresses:\n"
    ) in text


def test_pod_readiness_gates_come_before_the_conditions() -> None:
    cluster = isolated_cluster()
    gated = bare_pod("gated")
    gated["spec"]["readinessGates"] = [
        {"conditionType": "example.com/load-balancer-ready"},
        {"conditionType": "example.com/warmed"},
    ]
    cluster.store.create(gated)
    cluster.drain()
    set_pod_status(cluster, "default", "gated", node="worker-1", ip="10.244.1.7", ready=False)
    pod = copy_obj(cluster.store.must_get("Pod", "default", "gated"))
    pod["status"]["conditions"].append(
        {"type": "example.com/load-balancer-ready", "status": "False"}
    )
    cluster.store.update(pod)
    text = ok(cluster, "describe pod gated")
    assert (
        "    Mounts:         <none>\n"
        "Readiness Gates:\n"
        "  Type                              Status\n"
        "  example.com/load-balancer-ready   False \n"
        "  example.com/warmed                <none> \n"
        "Conditions:\n"
        "  Type                              Status\n"
        "  PodScheduled                      True \n"
        "  Initialized                       True \n"
        "  ContainersReady                   False \n"
        "  Ready                             False \n"
        "  example.com/load-balancer-ready   False \n"
        "Volumes:                            <none>\n"
    ) in text
    cluster.store.create(bare_pod("plain"))
    assert "Readiness Gates:" not in ok(cluster, "describe pod plain")


def test_namespace_conditions_when_it_has_them(cluster: Cluster) -> None:
    cluster.apply("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    assert "Status:       Active\n\nNo resource quota." in ok(cluster, "describe ns shop")
    ns = copy_obj(cluster.store.must_get("Namespace", "", "shop"))
    ns["status"]["conditions"] = [
        {
            "type": "NamespaceContentRemaining",
            "status": "True",
            "lastTransitionTime": cluster.clock.timestamp(),
            "reason": "SomeResourcesRemain",
            "message": "Some resources are remaining: pods. has 1 resource instances",
        }
    ]
    cluster.store.update(ns)
    assert ok(cluster, "describe ns shop").endswith(
        "Status:       Active\n"
        "Conditions:\n"
        "  Type                       Status  LastTransitionTime               Reason"
        "               Message\n"
        "  ----                       ------  ------------------               ------"
        "               -------\n"
        "  NamespaceContentRemaining  True    Mon, 06 Jul 2026 10:00:00 +0000  SomeResourcesRemain"
        "  Some resources are remaining: pods. has 1 resource instances\n"
        "\n"
        "No resource quota.\n"
        "\n"
        "No LimitRange resource.\n"
    )
