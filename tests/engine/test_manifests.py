"""kubectl apply/create/delete -f: created/configured/unchanged, the three-way merge,
directories, dry runs, rollback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.apply_merge import LAST_APPLIED
from engine.cluster import Cluster
from engine.manifests import (
    ManifestError,
    apply,
    create_manifests,
    delete_manifests,
    load_objects,
)
from engine.store import StoreError
from tests.engine.manifest_helpers import STS, SVC, WEB, rejected, snapshot


def test_created_then_unchanged_then_configured(cluster: Cluster) -> None:
    assert apply(cluster, "web.yaml", WEB) == ["service/nginx created",
                                               "statefulset.apps/web created"]  # fmt: skip
    rv = cluster.store.resource_version
    assert apply(cluster, "web.yaml", WEB) == ["service/nginx unchanged",
                                               "statefulset.apps/web unchanged"]  # fmt: skip
    assert cluster.store.resource_version == rv
    assert apply(cluster, "web.yaml", WEB.replace("replicas: 2", "replicas: 3")) == [
        "service/nginx unchanged",
        "statefulset.apps/web configured",
    ]
    assert cluster.get("StatefulSet", "default", "web")["spec"]["replicas"] == 3


def test_reapply_resets_a_scaled_field_it_owns(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", STS)
    cluster.scale("StatefulSet", "default", "web", 5)
    assert apply(cluster, "x.yaml", STS) == ["statefulset.apps/web configured"]
    assert cluster.get("StatefulSet", "default", "web")["spec"]["replicas"] == 2


def test_fields_set_by_others_survive_reapply(cluster: Cluster) -> None:
    no_replicas = STS.replace("  replicas: 2\n", "")
    apply(cluster, "x.yaml", no_replicas)
    cluster.scale("StatefulSet", "default", "web", 4)
    cluster.patch_annotations("StatefulSet", "default", "web", note="kept")
    assert apply(cluster, "x.yaml", no_replicas) == ["statefulset.apps/web unchanged"]
    sts = cluster.get("StatefulSet", "default", "web")
    assert sts["spec"]["replicas"] == 4
    assert sts["metadata"]["annotations"]["note"] == "kept"


def test_removed_field_is_removed(cluster: Cluster) -> None:
    labelled = SVC.replace("  name: nginx\n", "  name: nginx\n  labels:\n    tier: web\n")
    apply(cluster, "x.yaml", labelled)
    assert apply(cluster, "x.yaml", SVC) == ["service/nginx configured"]
    assert "labels" not in cluster.get("Service", "default", "nginx")["metadata"]


def test_last_applied_annotation(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", SVC)
    annotations = cluster.get("Service", "default", "nginx")["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/last-applied-configuration"] == (
        '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"name":"nginx",'
        '"namespace":"default"},"spec":{"clusterIP":"None","ports":[{"name":"web","port":80}],'
        '"selector":{"app":"nginx"}}}\n'
    )


def test_namespace_created_in_the_same_file(cluster: Cluster) -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n" + SVC.replace(
        "  name: nginx\n", "  name: nginx\n  namespace: shop\n"
    )
    assert apply(cluster, "x.yaml", text) == ["namespace/shop created", "service/nginx created"]
    assert cluster.get("Service", "shop", "nginx") is not None


def test_default_namespace_keyword(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    assert apply(cluster, "x.yaml", SVC, namespace="shop") == ["service/nginx created"]
    assert cluster.get("Service", "shop", "nginx") is not None


def test_web_manifest_applies_with_all_defaults(cluster: Cluster) -> None:
    assert cluster.apply("demos/manifests/web.yaml") == [
        "service/nginx created",
        "statefulset.apps/web created",
    ]
    sts = cluster.get("StatefulSet", "default", "web")
    spec = sts["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always"
    assert pod["dnsPolicy"] == "ClusterFirst"
    assert pod["terminationGracePeriodSeconds"] == 30
    container = pod["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["ports"] == [{"containerPort": 80, "name": "web", "protocol": "TCP"}]
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem"
    svc = cluster.get("Service", "default", "nginx")["spec"]
    assert svc["ports"] == [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}]
    assert (svc["type"], svc["sessionAffinity"], svc["clusterIPs"]) == (
        "ClusterIP",
        "None",
        ["None"],
    )


def test_directory_applies_in_name_order(cluster: Cluster, tmp_path: Path) -> None:
    (tmp_path / "b-svc.yaml").write_text(SVC)
    (tmp_path / "a-sts.yml").write_text(STS)
    (tmp_path / "c-ns.json").write_text(
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}'
    )
    (tmp_path / "notes.txt").write_text("not a manifest")
    assert apply(cluster, str(tmp_path)) == [
        "statefulset.apps/web created",
        "service/nginx created",
        "namespace/shop created",
    ]


def test_empty_documents_are_skipped(cluster: Cluster) -> None:
    assert apply(cluster, "x.yaml", "---\n# nothing\n---\n" + SVC + "---\n") == [
        "service/nginx created"
    ]


def test_failed_write_rolls_back(cluster: Cluster) -> None:
    before = snapshot(cluster)

    def refuse(new: dict[str, Any], old: dict[str, Any] | None) -> None:
        raise StoreError("no room")

    cluster.store.add_admission("StatefulSet", refuse)
    with pytest.raises(ManifestError) as exc:
        apply(cluster, "x.yaml", SVC + "---\n" + STS)
    assert str(exc.value) == 'x.yaml: document 2 (StatefulSet "web"), line 13: no room'
    assert cluster.store.get("Service", "default", "nginx") is None
    assert snapshot(cluster)[1] == before[1]


def test_delete_manifests(cluster: Cluster) -> None:
    apply(cluster, "web.yaml", WEB)
    cluster.delete("Service", "default", "nginx")
    result = delete_manifests(cluster, "web.yaml", WEB)
    assert result.stdout == 'statefulset.apps "web" deleted from default namespace\n'
    assert result.stderr == (
        'Error from server (NotFound): error when deleting "web.yaml": services "nginx" not found\n'
    )
    assert result.code == 1
    assert cluster.get("StatefulSet", "default", "web") is None


def test_delete_cluster_scoped(cluster: Cluster) -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    apply(cluster, "ns.yaml", text)
    result = delete_manifests(cluster, "ns.yaml", text)
    assert (result.stdout, result.code) == ('namespace "shop" deleted\n', 0)


def test_load_objects_returns_manifests_as_written(cluster: Cluster) -> None:
    objs = load_objects("web.yaml", WEB)
    assert [o["kind"] for o in objs] == ["Service", "StatefulSet"]
    assert "podManagementPolicy" not in objs[1]["spec"]
    with pytest.raises(ManifestError):
        load_objects("x.yaml", STS.replace("replicas: 2", "replicas: -1"))
    assert load_objects("x.yaml", STS.replace("replicas: 2", "replicas: -1"), check=False)


def test_server_dry_run_checks_everything_and_writes_nothing(cluster: Cluster) -> None:
    before = snapshot(cluster)
    assert apply(cluster, "web.yaml", WEB, dry_run="server") == [
        "service/nginx created (server dry run)",
        "statefulset.apps/web created (server dry run)",
    ]
    assert snapshot(cluster) == before
    assert rejected(cluster, STS.replace("replicas: 2", "replicas: -1"), dry_run="server")


def test_client_dry_run_skips_server_checks(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", STS)
    changed = STS.replace("serviceName: nginx", "serviceName: other")
    assert apply(cluster, "x.yaml", changed, dry_run="client") == [
        "statefulset.apps/web configured (dry run)"
    ]
    assert rejected(cluster, changed, dry_run="server").endswith("are forbidden")
    assert rejected(cluster, STS.replace("replicas: 2", "replicas: x"), dry_run="client")


def test_warning_for_objects_created_without_apply(cluster: Cluster) -> None:
    text = SVC.replace("name: nginx", "name: kubernetes").replace("  clusterIP: None\n", "")
    warnings: list[str] = []
    assert apply(cluster, "x.yaml", text, warnings=warnings) == ["service/kubernetes configured"]
    assert warnings == [
        "Warning: resource services/kubernetes is missing the "
        "kubectl.kubernetes.io/last-applied-configuration annotation which is required by "
        "kubectl apply. kubectl apply should only be used on resources created declaratively "
        "by either kubectl create --save-config or kubectl apply. The missing annotation will "
        "be patched automatically."
    ]
    assert cluster.get("Service", "default", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"


def test_cluster_apply_passes_options(cluster: Cluster) -> None:
    assert cluster.apply("x.yaml", SVC, dry_run="server") == [
        "service/nginx created (server dry run)"
    ]
    assert cluster.get("Service", "default", "nginx") is None


def test_create_manifests_creates_what_it_can(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", SVC)
    bad = STS.replace("replicas: 2", "replicas: -1").replace("name: web", "name: bad")
    text = SVC + "---\n" + STS + "---\n" + bad
    result = create_manifests(cluster, "x.yaml", text)
    assert result.stdout == "statefulset.apps/web created\n"
    assert result.stderr == (
        'Error from server (AlreadyExists): error when creating "x.yaml": services "nginx" '
        "already exists\n"
        'x.yaml: document 3 (StatefulSet "bad"), line 38: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0\n"
    )
    assert result.code == 1
    assert "annotations" not in cluster.get("StatefulSet", "default", "web")["metadata"]


def test_create_with_generate_name_and_save_config(cluster: Cluster) -> None:
    text = SVC.replace("name: nginx", "generateName: nginx-")
    result = create_manifests(cluster, "x.yaml", text, save_config=True)
    assert result.code == 0
    (svc,) = [s for s in cluster.store.list("Service", "default") if s["metadata"].get(
        "generateName") == "nginx-"]  # fmt: skip
    assert result.stdout == f"service/{svc['metadata']['name']} created\n"
    assert LAST_APPLIED in svc["metadata"]["annotations"]
    missing = create_manifests(cluster, "x.yaml", text, namespace="shop")
    assert missing.stderr == (
        'Error from server (NotFound): error when creating "x.yaml": namespaces "shop" not found\n'
    )


def test_controllers_create_pods_with_api_defaults(cluster: Cluster) -> None:
    cluster.apply("demos/manifests/web.yaml")
    cluster.settle()
    pod = cluster.store.must_get("Pod", "default", "web-0")
    spec = pod["spec"]
    assert (spec["serviceAccountName"], spec["priority"], spec["enableServiceLinks"]) == (
        "default",
        0,
        True,
    )
    assert [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ]
    assert pod["status"]["qosClass"] == "BestEffort"
    claim = cluster.store.must_get("PersistentVolumeClaim", "default", "www-web-0")
    assert claim["spec"]["storageClassName"] == "standard"
    assert apply(cluster, "web.yaml", WEB) == [
        "service/nginx unchanged",
        "statefulset.apps/web unchanged",
    ]
