"""Commands that change the cluster: scale, delete, patch, set image, label, rollout, wait,
cordon/drain — and that a failing command changes nothing."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import create_web, fails, make_ready, ok
from tests.helpers import pod_names, set_pod_status


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    create_web(cluster, replicas=2)
    make_ready(cluster, 2)
    return cluster


def test_scale(web: Cluster) -> None:
    assert ok(web, "kubectl scale sts/web --replicas=3") == "statefulset.apps/web scaled\n"
    assert web.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 3
    assert ok(web, "scale statefulset web --replicas 1") == "statefulset.apps/web scaled\n"
    assert fails(web, "scale sts web").stderr == 'error: required flag(s) "replicas" not set\n'
    assert fails(web, "scale sts web --replicas=x").stderr == (
        'Error: invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": '
        "invalid syntax\nSee 'kubectl scale --help' for usage.\n"
    )
    assert fails(web, "scale sts nope --replicas=2").stderr == (
        'Error from server (NotFound): statefulsets.apps "nope" not found\n'
    )


def test_delete_pod_waits_until_gone_and_prints_namespace(web: Cluster) -> None:
    uid = web.store.must_get("Pod", "default", "web-1")["metadata"]["uid"]
    start = web.clock.now()
    # no kubelet here: finish the termination by hand once the grace period is running
    web.clock.call_later(3, lambda: web.store.remove("Pod", "default", "web-1"))
    assert ok(web, "delete pod web-1") == 'pod "web-1" deleted from default namespace\n'
    assert web.clock.now() - start >= 3
    current = web.store.get("Pod", "default", "web-1")
    assert current is None or current["metadata"]["uid"] != uid


def test_delete_wait_false_returns_at_once(web: Cluster) -> None:
    start = web.clock.now()
    assert ok(web, "delete pod web-1 --wait=false") == (
        'pod "web-1" deleted from default namespace\n'
    )
    assert web.clock.now() == start
    assert web.store.must_get("Pod", "default", "web-1")["metadata"].get("deletionTimestamp")


def test_force_delete(web: Cluster) -> None:
    result = run(web, "delete pod web-0 --force --grace-period=0")
    assert result.code == 0
    assert result.chunks == [
        (
            "err",
            "Warning: Immediate deletion does not wait for confirmation that the running "
            "resource has been terminated. The resource may continue to run on the cluster "
            "indefinitely.\n",
        ),
        ("out", 'pod "web-0" force deleted from default namespace\n'),
    ]


def test_delete_errors_change_nothing(web: Cluster) -> None:
    before = web.store.resource_version
    assert fails(web, "delete").stderr.startswith(
        "error: You must provide one or more resources by argument or filename.\n"
    )
    assert fails(web, "delete pods").stderr == (
        "error: resource(s) were provided, but no name was specified\n"
    )
    assert fails(web, "delete pod web-0 --all").stderr == (
        "error: name cannot be provided when a selector is specified\n"
    )
    assert fails(web, "delete pod web-0 --cascade=foo").stderr == (
        'error: invalid cascade value (foo). Must be "background", "foreground", or "orphan"\n'
    )
    assert web.store.resource_version == before


def test_delete_by_selector_and_missing_names(web: Cluster) -> None:
    result = run(web, "delete pod web-0 nope --wait=false")
    assert result.code == 1
    assert result.stdout == 'pod "web-0" deleted from default namespace\n'
    assert result.stderr == 'Error from server (NotFound): pods "nope" not found\n'
    out = ok(web, "delete svc -l app=nginx --wait=false")
    assert out == 'service "nginx" deleted from default namespace\n'
    none = run(web, "delete sts -l app=nginx")
    assert (none.code, none.stdout, none.stderr) == (0, "No resources found\n", "")
    assert ok(web, "delete pod web-1 -o name --wait=false") == "pod/web-1\n"
    assert fails(web, "delete pod web-1 --force --grace-period=5").stderr == (
        "error: --force and --grace-period greater than 0 cannot be specified together\n"
    )


def test_patch_strategic_merge_partition(web: Cluster) -> None:
    patch = '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'
    assert ok(web, f"patch sts web -p '{patch}'") == "statefulset.apps/web patched\n"
    sts = web.store.must_get("StatefulSet", "default", "web")
    assert sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 2
    assert ok(web, f"patch sts web -p '{patch}'") == "statefulset.apps/web patched (no change)\n"
    merge = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}'
    ok(web, f"patch sts web -p '{merge}'")
    container = web.store.must_get("StatefulSet", "default", "web")["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["image"] == "nginx:1.27"
    # merged by name: the port list of the container survives
    assert [(p["containerPort"], p["name"]) for p in container["ports"]] == [(80, "web")]
    ok(web, 'patch sts web --type=json -p \'[{"op":"replace","path":"/spec/replicas","value":1}]\'')
    assert web.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 1
    assert fails(web, "patch sts web").stderr == (
        "error: must specify --patch or --patch-file containing the contents of the patch\n"
    )


def test_set_image_and_unknown_container(web: Cluster) -> None:
    assert ok(web, "set image sts/web nginx=nginx:1.27") == "statefulset.apps/web image updated\n"
    assert fails(web, "set image sts/web nope=x").stderr == (
        'error: unable to find container named "nope"\n'
    )


def test_label_and_annotate(web: Cluster) -> None:
    assert ok(web, "label pod web-0 tier=db") == "pod/web-0 labeled\n"
    assert fails(web, "label pod web-0 tier=cache").stderr == (
        "error: 'tier' already has a value (db), and --overwrite is false\n"
    )
    assert ok(web, "label pod web-0 tier=cache --overwrite") == "pod/web-0 labeled\n"
    assert ok(web, "label pod web-0 tier-") == "pod/web-0 unlabeled\n"
    assert "tier" not in web.store.must_get("Pod", "default", "web-0")["metadata"]["labels"]
    assert ok(web, "annotate sts web note=hello") == "statefulset.apps/web annotated\n"


def test_cordon_uncordon(web: Cluster) -> None:
    assert ok(web, "cordon worker-1") == "node/worker-1 cordoned\n"
    assert ok(web, "cordon worker-1") == "node/worker-1 already cordoned\n"
    assert "SchedulingDisabled" in ok(web, "get node worker-1")
    assert ok(web, "uncordon worker-1") == "node/worker-1 uncordoned\n"
    assert fails(web, "cordon").stderr == (
        "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples\n"
    )


def test_drain_refuses_unmanaged_pods_without_force(web: Cluster) -> None:
    web.store.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "loner", "namespace": "default"},
            "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    result = run(web, "drain worker-1")
    assert result.code == 1
    assert result.stdout == "node/worker-1 cordoned\n"
    assert "cannot delete Pods that declare no controller (use --force to override): " in (
        result.stderr
    )
    assert web.store.get("Pod", "default", "loner") is not None


def test_wait_condition_met_and_timeout(web: Cluster) -> None:
    assert ok(web, "wait --for=condition=Ready pod/web-0") == "pod/web-0 condition met\n"
    set_pod_status(web, "default", "web-1", ready=False, ip="10.244.2.11", node="worker-2")
    start = web.clock.now()
    result = run(web, "wait --for=condition=Ready pod/web-1 --timeout=20s")
    assert result.code == 1
    assert result.stderr == "error: timed out waiting for the condition on pods/web-1\n"
    assert web.clock.now() - start == pytest.approx(20)
    assert fails(web, "wait --for=foo pod/web-0").stderr == 'error: unrecognized condition: "foo"\n'
    assert ok(web, "wait --for=jsonpath={.status.readyReplicas}=1 sts/web") == (
        "statefulset.apps/web condition met\n"
    )
    assert ok(web, "wait --for=delete pod/nope") == ""  # already gone: nothing to wait for
    assert fails(web, "wait --for=condition=Ready pod/web-1 --timeout=0").stderr == (
        "error: condition not met for pods/web-1\n"
    )
    assert fails(web, "wait --for=condition=Ready pod/nope").stderr == (
        'Error from server (NotFound): pods "nope" not found\n'
    )


def test_rollout_status_history_restart(web: Cluster) -> None:
    ok(web, "scale sts web --replicas=3")
    # the third pod becomes ready two seconds into the wait
    web.clock.call_later(
        2,
        lambda: set_pod_status(web, "default", "web-2", ip="10.244.3.12", node="worker-3"),
    )
    out = ok(web, "rollout status sts/web")
    lines = out.splitlines()
    assert lines[0] == "Waiting for 1 pods to be ready..."
    assert lines[-1] in (
        "partitioned roll out complete: 3 new pods have been updated...",
        f"statefulset rolling update complete 3 pods at revision "
        f"{web.store.must_get('StatefulSet', 'default', 'web')['status']['currentRevision']}...",
    )
    history = ok(web, "rollout history sts/web")
    assert history == "statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n"
    assert ok(web, "rollout restart sts/web") == "statefulset.apps/web restarted\n"
    template = web.store.must_get("StatefulSet", "default", "web")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    assert fails(web, "rollout status").stderr == "error: required resource not specified\n"


def test_rollout_undo_restores_previous_template(web: Cluster) -> None:
    ok(web, "set image sts/web nginx=nginx:1.27")
    web.settle()
    assert ok(web, "rollout undo sts/web") == "statefulset.apps/web rolled back\n"
    image = web.store.must_get("StatefulSet", "default", "web")["spec"]["template"]["spec"][
        "containers"
    ][0]["image"]
    assert image == "registry.k8s.io/nginx-slim:0.24"


def test_sleep_advances_the_virtual_clock(web: Cluster) -> None:
    start = web.clock.now()
    assert ok(web, "sleep 1m30s") == ""
    assert web.clock.now() - start == pytest.approx(90)
    assert fails(web, "sleep").stderr.startswith("sleep: missing operand")
    assert fails(web, "sleep soon").stderr.startswith("sleep: invalid time interval 'soon'")


def test_fault_usage(web: Cluster) -> None:
    assert fails(web, "fault", code=2).stderr.startswith("usage: fault readiness POD fail|pass")
    assert fails(web, "fault readiness web-0 maybe", code=2).stderr.startswith("usage:")
    assert fails(web, "fault node nope down").stderr == (
        'Error from server (NotFound): nodes "nope" not found\n'
    )
    assert pod_names(web) == ["web-0", "web-1"]


def test_delete_by_field_selector(web: Cluster) -> None:
    assert ok(web, "delete pods --field-selector=spec.nodeName=worker-2 --wait=false") == (
        'pod "web-1" deleted from default namespace\n'
    )
    assert ok(web, "delete pods --field-selector=status.phase=Failed") == "No resources found\n"
