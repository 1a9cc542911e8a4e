"""Invalid manifests: each error exact, located (file, document, line, field), and the
store unchanged afterwards."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.cluster import Cluster
from engine.manifests import (
    ManifestError,
    apply,
)
from tests.engine.manifest_helpers import STS, SVC, WEB, rejected, snapshot

#: invalid manifests whose error message is exact: case → (manifest text, message)
REJECTED = {
    "yaml_syntax_error_names_its_line": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   labels: x: y\n",
        "x.yaml: line 5: error converting YAML to JSON: yaml: line 5: mapping values are not "
        "allowed in this context",
    ),
    "bad_indentation_in_second_document": (
        SVC + "---\napiVersion: v1\nkind: Service\n metadata: {}\n",
        "x.yaml: document 2, line 15: error converting YAML to JSON: yaml: line 15: mapping "
        "values are not allowed in this context",
    ),
    "unknown_kind": (
        STS.replace("kind: StatefulSet", "kind: Statefulset"),
        'x.yaml: document 1 (Statefulset "web"), line 2: resource mapping not found for name: '
        '"web" namespace: "" from "x.yaml": no matches for kind "Statefulset" in version '
        '"apps/v1"\nensure CRDs are installed first',
    ),
    "wrong_api_version": (
        STS.replace("apps/v1", "apps/v1beta1"),
        'x.yaml: document 1 (StatefulSet "web"), line 1: resource mapping not found for name: '
        '"web" namespace: "" from "x.yaml": no matches for kind "StatefulSet" in version '
        '"apps/v1beta1"\nensure CRDs are installed first',
    ),
    "missing_api_version_and_kind": (
        "metadata:\n  name: x\n",
        'x.yaml: document 1 ("x"), line 1: error validating data: [apiVersion not set, kind not '
        "set]",
    ),
    "wrong_type": (
        STS.replace("replicas: 2", "replicas: three"),
        'x.yaml: document 1 (StatefulSet "web"), line 7: spec.replicas: Invalid value: "three": '
        "must be an integer",
    ),
    "label_value_must_be_a_string": (
        SVC.replace("app: nginx", "app: 1.5"),
        'x.yaml: document 1 (Service "nginx"), line 8: spec.selector.app: Invalid value: 1.5: '
        "must be a string",
    ),
    "unknown_fields_are_strict_decoding_errors": (
        STS.replace("replicas: 2", "replica: 2").replace(
            "image: registry", "imagePullPolice: Always\n        image: registry"
        ),
        'x.yaml: document 1 (StatefulSet "web"), line 7: strict decoding error: unknown field '
        '"spec.replica"\n'
        'x.yaml: document 1 (StatefulSet "web"), line 18: strict decoding error: unknown field '
        '"spec.template.spec.containers[0].imagePullPolice"',
    ),
    "missing_required_field": (
        STS.replace("  selector:\n    matchLabels:\n      app: nginx\n", ""),
        'x.yaml: document 1 (StatefulSet "web"), line 5: spec.selector: Required value',
    ),
    "missing_name": (
        SVC.replace("  name: nginx\n", "  labels: {}\n"),
        "x.yaml: document 1 (Service), line 3: resource name may not be empty",
    ),
    "bad_names": (
        STS.replace("name: web", "name: Web_1") + "---\n" + SVC.replace("nginx\nspec", "9x\nspec"),
        'x.yaml: document 1 (StatefulSet "Web_1"), line 4: metadata.name: Invalid value: '
        '"Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric '
        "characters or '-', and must start and end with an alphanumeric character (e.g. "
        "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"
        'x.yaml: document 2 (Service "9x"), line 23: metadata.name: Invalid value: "9x": a '
        "DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ),
    "bad_label_value": (
        SVC.replace("  name: nginx\n", "  name: nginx\n  labels:\n    tier: front end\n"),
        'x.yaml: document 1 (Service "nginx"), line 5: metadata.labels: Invalid value: "front '
        'end": a valid label must be an empty string or consist of alphanumeric characters, '
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
        "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ),
    "selector_does_not_match_template": (
        STS.replace("      labels:\n        app: nginx", "      labels:\n        app: web"),
        'x.yaml: document 1 (StatefulSet "web"), line 13: spec.template.metadata.labels: Invalid '
        'value: {"app":"web"}: `selector` does not match template `labels`',
    ),
    "negative_replicas": (
        STS.replace("replicas: 2", "replicas: -1"),
        'x.yaml: document 1 (StatefulSet "web"), line 7: spec.replicas: Invalid value: -1: must '
        "be greater than or equal to 0",
    ),
    "statefulset_restart_policy": (
        STS.replace(
            "    spec:\n      containers", "    spec:\n      restartPolicy: Never\n      containers"
        ),
        'x.yaml: document 1 (StatefulSet "web"), line 16: spec.template.spec.restartPolicy: '
        'Unsupported value: "Never": supported values: "Always"',
    ),
    "service_port_out_of_range_and_protocol": (
        SVC.replace("port: 80", "port: 70000\n    protocol: tcp"),
        'x.yaml: document 1 (Service "nginx"), line 10: spec.ports[0].port: Invalid value: '
        "70000: must be between 1 and 65535, inclusive\n"
        'x.yaml: document 1 (Service "nginx"), line 11: spec.ports[0].protocol: Unsupported '
        'value: "tcp": supported values: "SCTP", "TCP", "UDP"\n'
        'x.yaml: document 1 (Service "nginx"), line 10: spec.ports[0].targetPort: Invalid value: '
        "70000: must be between 1 and 65535, inclusive",
    ),
    "bad_quantity": (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
        "  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1GB\n",
        'x.yaml: document 1 (PersistentVolumeClaim "data"), line 9: spec.resources.requests.'
        'storage: Invalid value: "1GB": quantities must match the regular expression '
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ),
    "deployment_container_checks": (
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              containers:
              - name: api
                imagePullPolicy: Sometimes
                ports:
                - containerPort: 80
                volumeMounts:
                - name: data
                  mountPath: /data
        """,
        'x.yaml: document 1 (Deployment "api"), line 13: spec.template.spec.containers[0].image: '
        "Required value\n"
        'x.yaml: document 1 (Deployment "api"), line 14: spec.template.spec.containers[0].'
        'imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"IfNotPresent", "Never"\n'
        'x.yaml: document 1 (Deployment "api"), line 18: spec.template.spec.containers[0].'
        'volumeMounts[0].name: Not found: "data"',
    ),
    "duplicate_objects_in_one_file": (
        SVC + "---\n" + STS + "---\n" + SVC,
        'x.yaml: document 3 (Service "nginx"), line 35: the same object is already defined in '
        "x.yaml document 1 (line 1)",
    ),
    "non_mapping_document": (
        SVC + "---\n- just\n- a list\n",
        "x.yaml: document 2, line 13: error validating data: a manifest must be a mapping with "
        "apiVersion, kind and metadata, not a list",
    ),
    "duplicate_key": (
        STS.replace("replicas: 2", "replicas: 2\n  replicas: 3"),
        "x.yaml: line 8: error converting YAML to JSON: yaml: unmarshal errors:\n"
        '  line 8: key "replicas" already set in map',
    ),
    "list_items_are_located": (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n"
        "    name: a\n  spec:\n    ports:\n    - port: 0\n",
        'x.yaml: document 1, items[0] (Service "a"), line 10: spec.ports[0].port: Invalid value: '
        "0: must be between 1 and 65535, inclusive",
    ),
    "duplicate_service_port": (
        SVC.replace("    name: web\n", "    name: web\n  - port: 80\n    name: web2\n"),
        'x.yaml: document 1 (Service "nginx"), line 12: spec.ports[1]: Duplicate value: '
        '{"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_invalid_manifest_is_rejected_with_an_exact_located_error(
    cluster: Cluster, case: str
) -> None:
    text, message = REJECTED[case]
    assert rejected(cluster, text) == message


def test_kind_not_simulated(cluster: Cluster) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
    assert rejected(cluster, text).startswith(
        'x.yaml: document 1 (ConfigMap "cfg"), line 2: kind "ConfigMap" is not simulated by the '
        "playground (it models Namespace, Node, Pod,"
    )


def test_missing_namespace(cluster: Cluster) -> None:
    text = SVC.replace("  name: nginx\n", "  name: nginx\n  namespace: shop\n")
    assert rejected(cluster, text) == (
        'x.yaml: document 1 (Service "nginx"), line 5: namespaces "shop" not found'
    )
    assert rejected(cluster, SVC, namespace="shop") == (
        'x.yaml: document 1 (Service "nginx"), line 3: namespaces "shop" not found'
    )


def test_second_invalid_document_stops_the_first(cluster: Cluster) -> None:
    text = SVC + "---\n" + STS.replace("replicas: 2", "replicas: -2")
    message = rejected(cluster, text)
    assert message.startswith('x.yaml: document 2 (StatefulSet "web"), line 19: spec.replicas')
    assert cluster.store.get("Service", "default", "nginx") is None


def test_yaml_bomb_is_rejected_quickly(cluster: Cluster) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    start = time.perf_counter()
    message = rejected(cluster, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2.0
    assert message.endswith("yaml: document contains excessive aliasing")


def test_statefulset_selector_is_immutable(cluster: Cluster) -> None:
    apply(cluster, "web.yaml", WEB)
    changed = WEB.replace(
        "      app: nginx\n  template", "      app: nginx\n      tier: web\n  template"
    )
    changed = changed.replace(
        "    app: nginx\n    spec", "    app: nginx\n        tier: web\n    spec"
    )
    assert rejected(cluster, changed, "web.yaml") == (
        'web.yaml: document 2 (StatefulSet "web"), line 25: spec: Forbidden: updates to '
        "statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
        "'minReadySeconds' are forbidden"
    )


def test_statefulset_claim_templates_are_immutable(cluster: Cluster) -> None:
    apply(cluster, "web.yaml", WEB)
    message = rejected(cluster, WEB.replace("storage: 1Gi", "storage: 2Gi"), "web.yaml")
    assert message.startswith('web.yaml: document 2 (StatefulSet "web"), line 42: spec: Forbidden')


def test_service_cluster_ip_may_not_change(cluster: Cluster) -> None:
    apply(cluster, "web.yaml", WEB)
    assert rejected(cluster, WEB.replace("clusterIP: None", "clusterIP: 10.96.5.5")) == (
        'x.yaml: document 1 (Service "nginx"), line 14: spec.clusterIPs[0]: Invalid value: '
        '["10.96.5.5"]: may not change once set'
    )


def test_stale_resource_version_conflicts(cluster: Cluster) -> None:
    apply(cluster, "x.yaml", SVC)
    text = SVC.replace("  name: nginx\n", '  name: nginx\n  resourceVersion: "1"\n')
    assert rejected(cluster, text) == (
        'x.yaml: document 1 (Service "nginx"), line 5: Operation cannot be fulfilled on services '
        '"nginx": the object has been modified; please apply your changes to the latest version '
        "and try again"
    )


def test_directory_error_names_the_file(cluster: Cluster, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SVC)
    (tmp_path / "b.yaml").write_text(STS.replace("replicas: 2", "replicas: x"))
    before = snapshot(cluster)
    with pytest.raises(ManifestError) as exc:
        apply(cluster, str(tmp_path))
    assert snapshot(cluster) == before
    assert str(exc.value).startswith(
        f'{tmp_path / "b.yaml"}: document 1 (StatefulSet "web"), line 7: spec.replicas'
    )


def test_missing_file(cluster: Cluster) -> None:
    with pytest.raises(ManifestError) as exc:
        apply(cluster, "nope.yaml")
    assert str(exc.value) == 'the path "nope.yaml" does not exist'


def test_explicit_namespace_must_match(cluster: Cluster) -> None:
    text = SVC.replace("  name: nginx\n", "  name: nginx\n  namespace: kube-system\n")
    assert rejected(cluster, text, namespace="default", enforce_namespace=True) == (
        'x.yaml: document 1 (Service "nginx"), line 5: the namespace from the provided object '
        '"kube-system" does not match the namespace "default". You must pass '
        "'--namespace=kube-system' to perform this operation."
    )


def test_json_manifest_with_tabs(cluster: Cluster) -> None:
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "Namespace",\n\t"metadata": {"name": "Shop"}\n}\n'
    assert rejected(cluster, text, "ns.json") == (
        'ns.json: document 1 (Namespace "Shop"), line 4: metadata.name: Invalid value: "Shop": '
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    )
    assert apply(cluster, "ns.json", text.replace("Shop", "shop")) == ["namespace/shop created"]


POD_PV_SC = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: busybox
    env:
    - name: A=B
      value: x
    livenessProbe:
      exec: {command: [sh]}
      successThreshold: 2
  tolerations:
  - key: k
    operator: Exists
    value: v
  dnsPolicy: Sometimes
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Keep
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
volumeBindingMode: Later
"""


def test_pod_persistent_volume_and_storage_class_checks(cluster: Cluster) -> None:
    pod, pv, sc = (
        'document 1 (Pod "p")',
        'document 2 (PersistentVolume "pv1")',
        ('document 3 (StorageClass "fast")'),
    )
    expected = [
        (pod, 10, 'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment '
         "variable name must consist only of printable ASCII characters other than '='"),
        (pod, 14, "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        (pod, 19, 'spec.dnsPolicy: Unsupported value: "Sometimes": supported values: '
         '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'),
        (pod, 17, 'spec.tolerations[0].operator: Invalid value: "v": value must be empty when '
         "`operator` is 'Exists'"),
        (pv, 28, 'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported '
         'values: "Delete", "Recycle", "Retain"'),
        (pv, 25, "spec: Required value: must specify a volume type"),
        (sc, 30, "provisioner: Required value"),
        (sc, 34, 'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", '
         '"WaitForFirstConsumer"'),
    ]  # fmt: skip
    assert rejected(cluster, POD_PV_SC).split("\n") == [
        f"x.yaml: {doc}, line {line}: {message}" for doc, line, message in expected
    ]


def test_container_resource_names(cluster: Cluster) -> None:
    text = POD_PV_SC.split("---")[0].replace(
        "    env:", "    resources:\n      limits: {memmory: 1Gi, example.com/gpu: 1}\n    env:"
    )
    assert (
        'x.yaml: document 1 (Pod "p"), line 10: spec.containers[0].resources.limits[memmory]: '
        'Invalid value: "memmory": must be a standard resource for containers'
    ) in rejected(cluster, text).split("\n")


def test_nothing_to_apply(cluster: Cluster, tmp_path: Path) -> None:
    assert rejected(cluster, "# only a comment\n---\n") == "no objects passed to apply"
    (tmp_path / "notes.txt").write_text("not a manifest")
    with pytest.raises(ManifestError, match=r"^no objects passed to apply$"):
        apply(cluster, str(tmp_path))
