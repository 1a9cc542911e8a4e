"""``kubectl get``: tables, output formats and kubectl's errors, on objects in the store."""

from __future__ import annotations

import json

import pytest
import yaml

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import create_web, fails, make_ready, ok


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    create_web(cluster, replicas=2)
    make_ready(cluster, 2)
    cluster.advance(130)
    return cluster


def test_pods_wide_table(web: Cluster) -> None:
    assert ok(web, "kubectl get pods -o wide") == (
        "NAME    READY   STATUS    RESTARTS   AGE     IP            NODE       NOMINATED NODE"
        "   READINESS GATES\n"
        "web-0   1/1     Running   0          2m10s   10.244.1.10   worker-1   <none>        "
        "   <none>\n"
        "web-1   1/1     Running   0          2m10s   10.244.2.11   worker-2   <none>        "
        "   <none>\n"
    )


def test_prefix_is_optional_and_k_works(web: Cluster) -> None:
    assert ok(web, "get sts") == ok(web, "k get statefulsets") == ok(web, "kubectl get sts.apps")
    assert ok(web, "get sts") == "NAME   READY   AGE\nweb    2/2     2m10s\n"


def test_statefulset_wide_and_services(web: Cluster) -> None:
    assert ok(web, "get sts -o wide") == (
        "NAME   READY   AGE     CONTAINERS   IMAGES\n"
        "web    2/2     2m10s   nginx        registry.k8s.io/nginx-slim:0.24\n"
    )
    lines = ok(web, "get svc").splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert lines[2].split() == ["nginx", "ClusterIP", "None", "<none>", "80/TCP", "2m10s"]


def test_all_groups_kinds_with_resource_prefixes(web: Cluster) -> None:
    out = ok(web, "get all")
    blocks = out.split("\n\n")
    assert [b.splitlines()[1].split()[0] for b in blocks] == [
        "pod/web-0",
        "service/kubernetes",
        "statefulset.apps/web",
    ]


def test_comma_list_and_type_slash_name(web: Cluster) -> None:
    out = ok(web, "get sts,svc")
    assert "statefulset.apps/web" in out
    assert "service/nginx" in out
    assert ok(web, "get pod/web-1").splitlines()[1].startswith("web-1 ")


def test_label_selector_and_show_labels(web: Cluster) -> None:
    out = ok(web, "get pods -l statefulset.kubernetes.io/pod-name=web-1 --show-labels")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("LABELS")
    assert "app=nginx,apps.kubernetes.io/pod-index=1,controller-revision-hash=" in lines[1]


def test_all_namespaces_adds_namespace_column(web: Cluster) -> None:
    lines = ok(web, "get svc -A").splitlines()
    assert lines[0].startswith("NAMESPACE     NAME         TYPE")
    assert [line.split()[:2] for line in lines[1:]] == [
        ["default", "kubernetes"],
        ["default", "nginx"],
        ["kube-system", "kube-dns"],
    ]


def test_namespace_flag(web: Cluster) -> None:
    assert ok(web, "get svc -n kube-system").splitlines()[1].startswith("kube-dns ")
    result = run(web, "get pods -n kube-public")
    assert result.stdout == ""
    assert result.stderr == "No resources found in kube-public namespace.\n"


def test_output_name_json_yaml_jsonpath(web: Cluster) -> None:
    assert ok(web, "get pods -o name") == "pod/web-0\npod/web-1\n"
    assert ok(web, "get sts -o name") == "statefulset.apps/web\n"
    doc = json.loads(ok(web, "get pod web-0 -o json"))
    assert doc["kind"] == "Pod"
    assert doc["metadata"]["name"] == "web-0"
    listed = yaml.safe_load(ok(web, "get pods -o yaml"))
    assert listed["kind"] == "List"
    assert len(listed["items"]) == 2
    assert ok(web, "get pods -o jsonpath='{.items[*].metadata.name}'") == "web-0 web-1"
    assert ok(web, "get pod web-1 -o jsonpath={.status.podIP}") == "10.244.2.11"
    ranged = ok(web, "get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'")
    assert ranged == "web-0\nweb-1\n"


def test_yaml_quotes_like_go(web: Cluster) -> None:
    text = ok(web, "get svc nginx -o yaml")
    assert 'creationTimestamp: "2026-07-06T10:00:00Z"' in text
    assert "  - name: web\n    port: 80\n" in text


def test_endpoints_deprecation_warning_and_table(web: Cluster) -> None:
    result = run(web, "get ep nginx")
    assert result.code == 0
    assert result.stderr == (
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n"
    )
    assert result.stdout.splitlines()[1].split() == [
        "nginx",
        "10.244.1.10:80,10.244.2.11:80",
        "2m10s",
    ]
    assert result.chunks[0][0] == "err"


def test_endpointslices_list_every_address(web: Cluster) -> None:
    line = ok(web, "get endpointslices").splitlines()[1].split()
    assert line[1:4] == ["IPv4", "80", "10.244.1.10,10.244.2.11"]


def test_pvc_pv_storageclass_nodes_namespaces(web: Cluster) -> None:
    assert ok(web, "get sc").splitlines()[2].startswith("standard (default)   ")
    assert ok(web, "get ns").splitlines()[1].split() == ["default", "Active", "2m10s"]
    assert len(ok(web, "get no").splitlines()) == 4
    assert ok(web, "get pvc").splitlines()[0].split() == [
        "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS", "AGE",
    ]  # fmt: skip
    assert "CLAIM" in ok(web, "get pv").splitlines()[0]


def test_controllerrevisions_and_events(web: Cluster) -> None:
    line = ok(web, "get controllerrevisions").splitlines()[1].split()
    assert line[1:3] == ["statefulset.apps/web", "1"]
    events = ok(web, "get events").splitlines()
    assert events[0].split()[:4] == ["LAST", "SEEN", "TYPE", "REASON"]
    assert any("statefulset/web" in e and "create Pod web-0" in e for e in events)


def test_no_resources(cluster: Cluster) -> None:
    result = run(cluster, "get pods")
    assert (result.code, result.stdout, result.stderr) == (
        0,
        "",
        "No resources found in default namespace.\n",
    )


def test_errors(web: Cluster) -> None:
    assert (
        fails(web, "get podz").stderr == 'error: the server doesn\'t have a resource type "podz"\n'
    )
    assert fails(web, "get pods --foo").stderr == (
        "Error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"
    )
    assert fails(web, "get pods -z").stderr == (
        "Error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n"
    )
    assert fails(web, "get pods -n").stderr == (
        "Error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage.\n"
    )
    missing = fails(web, "get pods web-0 nope")
    assert missing.stdout.startswith("NAME ")
    assert missing.stderr == 'Error from server (NotFound): pods "nope" not found\n'
    assert fails(web, "get sts nope").stderr == (
        'Error from server (NotFound): statefulsets.apps "nope" not found\n'
    )
    assert "--request-timeout" in fails(web, "get pods -w").stderr
    assert fails(web, "get pods -o name --show-labels").stderr == (
        "error: --show-labels option cannot be used with name printer\n"
    )
    assert fails(web, "kubectl descibe").stderr == (
        'Error: unknown command "descibe" for "kubectl"\n\nDid you mean this?\n\tdescribe\n\n'
    )
    assert fails(web, "frobnicate", code=127).stderr.startswith("frobnicate: command not found")


def test_unterminated_quote(web: Cluster) -> None:
    assert fails(web, "get pods -l 'app=nginx", code=2).stderr.startswith("error:")


def test_comment_at_end_of_line(web: Cluster) -> None:
    assert ok(web, "get sts   # the seed's set") == ok(web, "get sts")


def test_custom_columns_and_sort_by(web: Cluster) -> None:
    out = ok(web, "get pods -o custom-columns=NAME:.metadata.name,IP:.status.podIP,X:.spec.nope")
    assert out == (
        "NAME    IP            X\nweb-0   10.244.1.10   <none>\nweb-1   10.244.2.11   <none>\n"
    )
    ordered = ok(web, "get svc -A --sort-by={.spec.clusterIP} -o name")
    assert ordered == "service/kubernetes\nservice/kube-dns\nservice/nginx\n"


def test_help_and_unsupported_commands(web: Cluster) -> None:
    assert ok(web, "kubectl").startswith("kubectl controls the Kubernetes cluster manager")
    assert "Usage:\n  kubectl scale " in ok(web, "kubectl scale --help")
    assert fails(web, "kubectl explain pods").stderr == (
        'error: "kubectl explain" is not available in the playground (see "kubectl --help" '
        "for what is)\n"
    )
    resources = ok(web, "kubectl api-resources").splitlines()
    assert resources[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert (
        "statefulsets             sts          apps/v1               true         StatefulSet"
        in (resources)
    )


def test_a_crash_elsewhere_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.kubectl.commands import tools

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("resolver exploded")

    monkeypatch.setattr(tools.dns_tools, "run_nslookup", boom)
    relaxed = Cluster(seed=1)
    result = run(relaxed, "nslookup nginx")
    assert result.code == 1
    assert result.stderr == "error: internal error in 'nslookup': RuntimeError: resolver exploded\n"
    strict = Cluster(seed=1, strict=True)
    with pytest.raises(RuntimeError):
        run(strict, "nslookup nginx")


def test_json_escapes_like_go() -> None:
    from engine.kubectl.output import to_json

    assert to_json({"b": [1], "a": "<none> & x"}) == (
        '{\n    "a": "\\u003cnone\\u003e \\u0026 x",\n    "b": [\n        1\n    ]\n}\n'
    )


def test_field_selectors_and_label_columns(web: Cluster) -> None:
    assert ok(web, "get pods --field-selector=spec.nodeName=worker-2 -o name") == "pod/web-1\n"
    assert ok(
        web, "get pods --field-selector status.phase=Running,metadata.name!=web-0 -o name"
    ) == ("pod/web-1\n")
    assert len(ok(web, "get nodes --field-selector spec.unschedulable=false").splitlines()) == 4
    assert fails(web, "get pods --field-selector foo=bar").stderr == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label '
        'selector "", field selector "foo=bar": field label not supported: foo\n'
    )
    lines = ok(web, "get pods -L app -L statefulset.kubernetes.io/pod-name").splitlines()
    assert lines[0].split()[-2:] == ["APP", "POD-NAME"]
    assert lines[2].split()[-2:] == ["nginx", "web-1"]


def test_sort_by_compares_like_kubectl() -> None:
    from engine.kubectl.gosort import natural_less, value_less

    assert natural_less("web-2", "web-10")
    assert not natural_less("web-10", "web-2")
    assert natural_less("10.244.1.9", "10.244.1.10")
    assert value_less("500m", "1")  # both quantities
    assert value_less(None, "a")
    assert not value_less("a", None)
    assert value_less(2, 10)


def test_go_sort_is_go_s_unstable_pdqsort() -> None:
    from engine.kubectl.gosort import go_sort

    # 60 items with three keys: pdqsort reorders equal items (Go's sort.Sort is unstable)
    items = [(i % 3, i) for i in range(60)]
    go_sort(items, lambda a, b: a[0] < b[0])
    assert [k for k, _ in items] == sorted(k for k, _ in items)
    assert [i for k, i in items if k == 0] != sorted(i for k, i in items if k == 0)
    small = [(1, "a"), (0, "b"), (1, "c"), (0, "d")]
    go_sort(small, lambda a, b: a[0] < b[0])  # ≤ 12 items: insertion sort, stable
    assert small == [(0, "b"), (0, "d"), (1, "a"), (1, "c")]
