"""``kubectl describe``: k8s-semantics §7.4 for StatefulSets, and the other describers."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import create_web, fails, make_ready, ok

DEFAULTED = {
    "podManagementPolicy": "OrderedReady",
    "updateStrategy": {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    },
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
}

STS_HEAD = """\
Name:                   web
Namespace:              default
CreationTimestamp:      Mon, 06 Jul 2026 10:00:00 +0000
Selector:               app=nginx
Labels:                 <none>
Annotations:            <none>
Service Name:           nginx
Pod Management Policy:  OrderedReady
Replicas:               3 desired | 3 total
Update Strategy:        RollingUpdate
  Partition:            0
  MaxUnavailable:       1
Persistent Volume Claim Retention Policy:
  WhenDeleted:  Retain
  WhenScaled:   Retain
Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=nginx
  Containers:
   nginx:
"""

VOLUME_CLAIMS = """\
Volume Claims:
  Name:          www
  StorageClass:  \n  Labels:        <none>
  Annotations:   <none>
  Capacity:      1Gi
  Access Modes:  [ReadWriteOnce]
Events:
  Type    Reason            Age   From                    Message
  ----    ------            ----  ----                    -------
  Normal  SuccessfulCreate  60s   statefulset-controller  create Claim www-web-0 Pod web-0 in StatefulSet web success
  Normal  SuccessfulCreate  60s   statefulset-controller  create Pod web-0 in StatefulSet web successful
"""  # noqa: E501


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    create_web(cluster, replicas=3, **DEFAULTED)
    make_ready(cluster, 3)
    cluster.advance(60 - cluster.clock.now())
    return cluster


def test_statefulset_matches_the_semantics_reference(web: Cluster) -> None:
    text = ok(web, "describe statefulset web")
    assert text.startswith(STS_HEAD)
    assert VOLUME_CLAIMS in text


def test_pod_describe(web: Cluster) -> None:
    text = ok(web, "describe pod web-1")
    lines = text.splitlines()
    assert lines[0] == "Name:             web-1"
    assert "Controlled By:  StatefulSet/web" in lines
    assert (
        "    Type:        PersistentVolumeClaim (a reference to a PersistentVolumeClaim in "
        "the same namespace)" in lines
    )
    assert "    ClaimName:   www-web-1" in lines
    assert "  Ready             True " in lines
    assert any(line.startswith("QoS Class:") for line in lines)


def test_prefix_match_describes_every_pod(web: Cluster) -> None:
    text = ok(web, "describe pods web")
    assert text.count("\nNamespace:") == 3
    assert "\n\nName:             web-1\n" in text


def test_service_endpoints_pvc_pv_node(web: Cluster) -> None:
    svc = ok(web, "describe svc nginx")
    assert "\nIP:                       None\n" in svc
    assert "\nEndpoints:                10.244.1.10:80,10.244.2.11:80,10.244.3.12:80\n" in svc
    described = run(web, "describe endpoints nginx")
    assert described.stderr.startswith("Warning: v1 Endpoints is deprecated in v1.33+")
    ep = described.stdout
    assert "  Addresses:          10.244.1.10,10.244.2.11,10.244.3.12\n" in ep
    pvc = ok(web, "describe pvc www-web-0")
    assert "Used By:       web-0\n" in pvc
    pv_name = web.store.must_get("PersistentVolumeClaim", "default", "www-web-0")["spec"][
        "volumeName"
    ]
    assert "Claim:           default/www-web-0\n" in ok(web, f"describe pv {pv_name}")
    node = ok(web, "describe node worker-1")
    assert "Non-terminated Pods:          (1 in total)\n" in node


def test_errors(web: Cluster) -> None:
    assert fails(web, "describe").stderr.startswith(
        "error: You must specify the type of resource to describe."
    )
    assert fails(web, "describe pod nope").stderr == (
        'Error from server (NotFound): pods "nope" not found\n'
    )
    empty = run(web, "describe deploy")
    assert (empty.code, empty.stderr) == (0, "No resources found in default namespace.\n")


def test_namespace_and_storageclass(web: Cluster) -> None:
    assert ok(web, "describe ns default") == (
        "Name:         default\n"
        "Labels:       kubernetes.io/metadata.name=default\n"
        "Annotations:  <none>\n"
        "Status:       Active\n"
        "\n"
        "No resource quota.\n"
        "\n"
        "No LimitRange resource.\n"
    )
    sc = ok(web, "describe storageclass standard")
    assert "IsDefaultClass:        Yes\n" in sc
    assert "VolumeBindingMode:     Immediate\n" in sc


def test_service_endpoints_cell_follows_format_endpoint_slices() -> None:
    from engine.kubectl.describe_infra import _slice_endpoints

    def slice_of(*ready: bool) -> dict[str, object]:
        return {
            "ports": [{"name": "web", "port": 80}],
            "endpoints": [
                {"addresses": [f"10.0.0.{i}"], "conditions": {"ready": r}}
                for i, r in enumerate(ready, 1)
            ],
        }

    assert _slice_endpoints([], "web") == "<none>"
    assert _slice_endpoints([slice_of(True, False)], "web") == "10.0.0.1:80"
    assert _slice_endpoints([slice_of(True, True, True, True, True)], "web") == (
        "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."
    )
    # kubectl's own quirk: the fourth endpoint sets "more" before the readiness check
    assert _slice_endpoints([slice_of(True, True, True, False)], "web") == (
        "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 0 more..."
    )
    assert _slice_endpoints([slice_of(True)], "other") == ""
