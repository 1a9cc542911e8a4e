"""Workloads, volumes and the garbage collector with the real scheduler and kubelet."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine import kubectl
from engine.cluster import Cluster
from engine.objects import name_of
from engine.store import WatchEvent
from tests.worlds import deployment

WEB_YAML = str(Path(__file__).parents[2] / "demos" / "manifests" / "web.yaml")
INDEX = "/usr/share/nginx/html/index.html"

DEPLOYMENT = yaml.safe_dump(deployment(4, name="hello", namespace=None), sort_keys=False)

LOCAL_STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: busybox:1.36
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: local
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
"""


def sh(cluster: Cluster, line: str) -> str:
    result = kubectl.run(cluster, line)
    assert result.code == 0, result.chunks
    return "".join(text for stream, text in result.chunks if stream == "out")


def ready_pods(cluster: Cluster, prefix: str) -> list[str]:
    return sorted(
        name_of(p)
        for p in cluster.store.list("Pod", "default")
        if name_of(p).startswith(prefix)
        and not p["metadata"].get("deletionTimestamp")
        and any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in (p.get("status") or {}).get("conditions") or []
        )
    )


def test_tutorial_data_survives_pod_deletion_via_exec(cluster: Cluster) -> None:
    cluster.apply(WEB_YAML)
    cluster.settle()
    assert ready_pods(cluster, "web-") == ["web-0", "web-1"]
    for pod in ("web-0", "web-1"):
        sh(cluster, f"exec {pod} -- sh -c 'echo {pod} > {INDEX}'")
    sh(cluster, "exec web-0 -- sh -c 'echo scratch > /tmp/x'")
    kubectl.run(cluster, "delete pod web-0")
    cluster.settle()
    assert ready_pods(cluster, "web-") == ["web-0", "web-1"]
    assert sh(cluster, f"exec web-0 -- cat {INDEX}") == "web-0\n"
    lost = kubectl.run(cluster, "exec web-0 -- cat /tmp/x")
    assert lost.code == 1
    assert "cat: can't open '/tmp/x': No such file or directory" in "".join(
        text for _, text in lost.chunks
    )


def test_local_volume_pins_the_recreated_pod_to_its_node(cluster: Cluster) -> None:
    cluster.apply("db.yaml", LOCAL_STS)
    cluster.settle()
    pod = cluster.store.must_get("Pod", "default", "db-0")
    node = pod["spec"]["nodeName"]
    claim = cluster.store.must_get("PersistentVolumeClaim", "default", "data-db-0")
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert claim["status"]["phase"] == "Bound"
    pv = cluster.store.must_get("PersistentVolume", "", claim["spec"]["volumeName"])
    term = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]
    assert term["matchExpressions"][0]["values"] == [node]
    reasons = [e["reason"] for e in cluster.events.for_object(claim)]
    assert reasons[0] == "WaitForFirstConsumer"
    assert reasons[-1] == "ProvisioningSucceeded"
    for _ in range(3):
        kubectl.run(cluster, "delete pod db-0")
        cluster.settle()
        assert cluster.store.must_get("Pod", "default", "db-0")["spec"]["nodeName"] == node


def test_deployment_rolling_update_with_the_kubelet(cluster: Cluster) -> None:
    cluster.apply("hello.yaml", DEPLOYMENT)
    cluster.settle()
    assert len(ready_pods(cluster, "hello-")) == 4
    peaks = {"pods": 0, "ready_min": 4}

    def watch(ev: WatchEvent) -> None:
        live = [
            p
            for p in cluster.store.list("Pod", "default")
            if not p["metadata"].get("deletionTimestamp")
        ]
        peaks["pods"] = max(peaks["pods"], len(live))
        peaks["ready_min"] = min(peaks["ready_min"], len(ready_pods(cluster, "hello-")))

    cluster.store.subscribe(watch, ["Pod"])
    sh(cluster, "set image deployment/hello nginx=nginx:1.28")
    cluster.settle()
    assert peaks == {"pods": 5, "ready_min": 3}  # 25% of 4: surge 1, unavailable 1
    images = {p["spec"]["containers"][0]["image"] for p in cluster.store.list("Pod", "default")}
    assert images == {"nginx:1.28"}
    d = cluster.store.must_get("Deployment", "default", "hello")
    assert d["status"]["updatedReplicas"] == 4
    assert d["status"]["availableReplicas"] == 4
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"


def test_foreground_deletion_waits_for_graceful_pod_shutdown(cluster: Cluster) -> None:
    cluster.apply("hello.yaml", DEPLOYMENT)
    cluster.settle()
    gone: list[str] = []
    cluster.store.subscribe(
        lambda ev: gone.append(ev.kind) if ev.type == "DELETED" else None,
        ["Pod", "ReplicaSet", "Deployment"],
    )
    cluster.delete("Deployment", "default", "hello", cascade="foreground")
    assert cluster.store.get("Deployment", "default", "hello") is not None
    cluster.settle()
    assert gone == ["Pod"] * 4 + ["ReplicaSet", "Deployment"]


def test_container_restart_loses_the_writable_layer_not_the_volume(cluster: Cluster) -> None:
    cluster.apply(WEB_YAML)
    cluster.settle()
    sh(cluster, f"exec web-0 -- sh -c 'echo kept > {INDEX}; echo lost > /tmp/x'")
    cluster.fault_crash("default", "web-0")
    cluster.run_until(
        lambda: (
            cluster.store.must_get("Pod", "default", "web-0")["status"]["containerStatuses"][0][
                "restartCount"
            ]
            == 1
        )
    )
    cluster.advance(10)
    assert sh(cluster, f"exec web-0 -- cat {INDEX}") == "kept\n"
    assert kubectl.run(cluster, "exec web-0 -- cat /tmp/x").code == 1
