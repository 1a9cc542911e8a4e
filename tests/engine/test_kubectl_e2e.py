"""End to end on the seed's manifest with every controller running (kubelet included)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import WEB_YAML, fails, ok

HTML = "/usr/share/nginx/html"


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    assert ok(cluster, f"kubectl apply -f {WEB_YAML}") == (
        "service/nginx created\nstatefulset.apps/web created\n"
    )
    cluster.settle()
    return cluster


def pod_ip(cluster: Cluster, name: str) -> str:
    return str(cluster.store.must_get("Pod", "default", name)["status"]["podIP"])


def test_apply_then_pods_are_ready_in_order(web: Cluster) -> None:
    lines = ok(web, "kubectl get pods -o wide").splitlines()
    assert [line.split()[:3] for line in lines[1:]] == [
        ["web-0", "1/1", "Running"],
        ["web-1", "1/1", "Running"],
    ]
    assert ok(web, f"kubectl apply -f {WEB_YAML}") == (
        "service/nginx unchanged\nstatefulset.apps/web unchanged\n"
    )


def test_rollout_status_waits_for_the_scale_up(cluster: Cluster) -> None:
    ok(cluster, f"kubectl apply -f {WEB_YAML}")
    out = ok(cluster, "kubectl rollout status statefulset/web")
    lines = out.splitlines()
    assert lines[0] == "Waiting for 2 pods to be ready..."
    assert lines[-1] == "partitioned roll out complete: 2 new pods have been updated..."
    assert all(line.startswith("Waiting for ") for line in lines[:-1])


def test_delete_waits_and_the_pod_comes_back_with_its_data(web: Cluster) -> None:
    ok(web, f"kubectl exec web-0 -- sh -c 'echo hello from web-0 > {HTML}/index.html'")
    old_ip = pod_ip(web, "web-0")
    start = web.clock.now()
    assert ok(web, "kubectl delete pod web-0") == 'pod "web-0" deleted from default namespace\n'
    assert web.clock.now() > start  # kubectl waited for the graceful termination
    assert ok(web, "kubectl wait --for=condition=Ready pod/web-0 --timeout=60s") == (
        "pod/web-0 condition met\n"
    )
    assert pod_ip(web, "web-0") != old_ip
    assert ok(web, f"kubectl exec web-0 -- cat {HTML}/index.html") == "hello from web-0\n"


def test_scale_and_endpoints_follow(web: Cluster) -> None:
    assert ok(web, "kubectl scale sts web --replicas=3") == "statefulset.apps/web scaled\n"
    ok(web, "kubectl rollout status sts/web")
    assert ok(web, "kubectl get sts web").splitlines()[1].split()[:2] == ["web", "3/3"]
    result = run(web, "kubectl get endpoints nginx")
    addresses = result.stdout.splitlines()[1].split()[1].split(",")
    assert sorted(addresses) == sorted(f"{pod_ip(web, f'web-{i}')}:80" for i in range(3))


def test_readiness_fault_takes_the_pod_out_of_endpoints(web: Cluster) -> None:
    assert ok(web, "fault readiness web-1 fail") == "pod/web-1 readiness probe failing\n"
    ok(web, "sleep 40s")
    assert ok(web, "kubectl get pod web-1").splitlines()[1].split()[1:3] == ["0/1", "Running"]
    assert pod_ip(web, "web-1") not in run(web, "get ep nginx").stdout
    ok(web, "fault readiness web-1 pass")
    ok(web, "sleep 20s")
    assert pod_ip(web, "web-1") in run(web, "get ep nginx").stdout


def test_rolling_update_with_partition(web: Cluster) -> None:
    ok(web, "scale sts web --replicas=3")
    ok(web, "rollout status sts/web")
    patch = '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'
    ok(web, f"kubectl patch sts web -p '{patch}'")
    ok(web, "kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.27")
    assert ok(web, "kubectl rollout status sts/web").splitlines()[-1] == (
        "partitioned roll out complete: 1 new pods have been updated..."
    )
    images = ok(
        web, "get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image"
    )
    assert images.splitlines()[1:] == [
        "web-0   registry.k8s.io/nginx-slim:0.24",
        "web-1   registry.k8s.io/nginx-slim:0.24",
        "web-2   registry.k8s.io/nginx-slim:0.27",
    ]
    assert ok(web, "rollout history sts/web").splitlines()[1:4] == [
        "REVISION  CHANGE-CAUSE",
        "1         <none>",
        "2         <none>",
    ]


def test_drain_moves_the_pod(web: Cluster) -> None:
    node = web.store.must_get("Pod", "default", "web-0")["spec"]["nodeName"]
    result = run(web, f"kubectl drain {node} --ignore-daemonsets")
    assert result.code == 0
    assert result.stdout == (
        f"node/{node} cordoned\nevicting pod default/web-0\npod/web-0 evicted\n"
        f"node/{node} drained\n"
    )
    web.settle()
    assert web.store.must_get("Pod", "default", "web-0")["spec"]["nodeName"] != node


def test_describe_pod_shows_kubelet_events(web: Cluster) -> None:
    text = ok(web, "kubectl describe pod web-0")
    assert "  Normal   Started           " in text
    assert "kubelet            Started container nginx\n" in text


def test_delete_manifest(web: Cluster) -> None:
    assert ok(web, f"kubectl delete -f {WEB_YAML}") == (
        'service "nginx" deleted from default namespace\n'
        'statefulset.apps "web" deleted from default namespace\n'
    )
    again = fails(web, f"kubectl delete -f {WEB_YAML}")
    assert again.stderr == (
        f'Error from server (NotFound): error when deleting "{WEB_YAML}": services "nginx" not '
        "found\n"
        f'Error from server (NotFound): error when deleting "{WEB_YAML}": statefulsets.apps '
        '"web" not found\n'
    )


def test_apply_errors_are_reported(cluster: Cluster) -> None:
    assert fails(cluster, "kubectl apply -f nope.yaml").stderr == (
        'error: the path "nope.yaml" does not exist\n'
    )
    assert fails(cluster, "kubectl apply").stderr == "error: must specify one of -f and -k\n"


def test_live_clock_commands_never_block() -> None:
    from engine.clock import RealClock

    frozen = RealClock(monotonic=lambda: 0.0)
    live = Cluster(seed=1, strict=True, clock=frozen)
    ok(live, f"kubectl apply -f {WEB_YAML}")
    assert fails(live, "sleep 5s").stderr.startswith("sleep: the live cluster's clock runs")
    result = run(live, "kubectl wait --for=condition=Ready pod/web-0")
    assert result.code == 1
    assert "kubectl wait only blocks in scripts" in result.stderr
    assert ok(live, "kubectl rollout status sts/web") == "Waiting for 2 pods to be ready...\n"
    assert ok(live, "kubectl delete pod web-0") == 'pod "web-0" deleted from default namespace\n'


def test_watch_prints_every_change_until_the_request_timeout(cluster: Cluster) -> None:
    ok(cluster, f"kubectl apply -f {WEB_YAML}")
    start = cluster.clock.now()
    out = ok(cluster, "kubectl get pods -w -l app=nginx --request-timeout=20s")
    assert cluster.clock.now() - start == pytest.approx(20)
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    states = [line.split()[:3] for line in lines[1:]]
    assert states[0] == ["web-0", "0/1", "Pending"]
    # web-1 appears only after web-0 is Running and Ready (OrderedReady)
    first_web1 = next(i for i, s in enumerate(states) if s[0] == "web-1")
    assert ["web-0", "1/1", "Running"] in states[:first_web1]
    assert states[-1] == ["web-1", "1/1", "Running"]


def test_watch_needs_a_request_timeout(web: Cluster) -> None:
    assert "--request-timeout" in fails(web, "kubectl get pods -w").stderr
    assert fails(web, "kubectl get pods,svc -w --request-timeout=5s").stderr.startswith(
        "error: watch is only supported on individual resources"
    )


def test_invalid_updates_print_the_api_message(web: Cluster) -> None:
    before = web.store.must_get("StatefulSet", "default", "web")
    result = fails(web, 'kubectl patch sts web -p \'{"spec":{"replicas":-2}}\'')
    assert result.stderr == (
        'The StatefulSet "web" is invalid: spec.replicas: Invalid value: -2: must be greater '
        "than or equal to 0\n"
    )
    assert web.store.must_get("StatefulSet", "default", "web") == before
    assert fails(web, "kubectl patch sts web -p '{bad'").stderr == (
        "error: unable to parse \"{bad\": yaml: line 1: expected ',' or '}', but got "
        "'<stream end>'\n"
    )


def test_run_attached_with_rm_runs_the_command_then_deletes_the_pod(web: Cluster) -> None:
    result = run(
        web, "kubectl run -it --rm dns-test --image=busybox:1.28 --restart=Never -- hostname"
    )
    assert result.code == 0
    assert result.chunks == [
        ("err", "If you don't see a command prompt, try pressing enter.\n"),
        ("out", "dns-test\n"),
        ("out", 'pod "dns-test" deleted from default namespace\n'),
    ]
    assert web.store.get("Pod", "default", "dns-test") is None


def test_run_detached_creates_the_pod(web: Cluster) -> None:
    assert ok(web, "kubectl run sleeper --image=busybox -- sleep 3600") == "pod/sleeper created\n"
    pod = web.store.must_get("Pod", "default", "sleeper")
    assert pod["metadata"]["labels"] == {"run": "sleeper"}
    assert pod["spec"]["containers"][0]["args"] == ["sleep", "3600"]
    assert fails(web, "kubectl run x").stderr == 'error: required flag(s) "image" not set\n'
    assert fails(web, "kubectl run x --image=busybox --rm").stderr == (
        "error: --rm should only be used for attached containers\n"
    )


def test_seed_nslookup_from_the_current_namespace(web: Cluster) -> None:
    result = run(web, "nslookup nginx")
    # busybox: the default.svc answer, then NXDOMAIN for the other search suffixes (exit 1)
    assert result.code == 1
    assert result.stdout.startswith("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n")
    for name in ("web-0", "web-1"):
        assert f"Address: {pod_ip(web, name)}\n" in result.stdout
    assert "** server can't find nginx.svc.cluster.local: NXDOMAIN" in result.stdout


def test_exec_dns_tools_and_resolv_conf(web: Cluster) -> None:
    fqdn = "web-1.nginx.default.svc.cluster.local"
    out = ok(web, f"kubectl exec web-0 -- nslookup {fqdn}")
    assert f"Name:\t{fqdn}\nAddress: {pod_ip(web, 'web-1')}\n" in out
    failing = fails(web, "kubectl exec web-0 -- nslookup web-1.nginx")
    assert failing.stderr == "command terminated with exit code 1\n"
    assert ok(web, "kubectl exec web-0 -- cat /etc/resolv.conf") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\noptions ndots:5\n"
    )
    assert fails(web, "kubectl exec web-0 -- dig nginx", code=126).stdout.startswith(
        "OCI runtime exec failed"
    )


def test_run_with_a_dnsutils_image_uses_bind_tools(web: Cluster) -> None:
    image = "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3"
    result = run(
        web, f"kubectl run -i --rm t --image={image} --restart=Never -- nslookup web-0.nginx"
    )
    assert result.code == 0, result.text
    assert "Address:\t10.96.0.10#53\n" in result.stdout
    answer = f"Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: {pod_ip(web, 'web-0')}\n"
    assert answer in result.stdout
    assert result.stdout.endswith('pod "t" deleted from default namespace\n')


def test_kubectl_events_sorts_by_time_with_kind_slash_name(web: Cluster) -> None:
    ok(web, "kubectl delete pod web-0")
    web.settle()
    lines = ok(web, "kubectl events --for sts/web").splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert all(" StatefulSet/web " in line for line in lines[1:])
    # the recreated web-0 repeats its SuccessfulCreate event: the newest line, folded
    assert "(x2 over " in lines[-1]
    assert lines[-1].endswith("create Pod web-0 in StatefulSet web successful")
    empty = run(web, "kubectl events -n kube-public")
    assert (empty.code, empty.stderr) == (0, "No events found in kube-public namespace.\n")


def test_logs_version_cluster_info_top(web: Cluster) -> None:
    assert ok(web, "kubectl logs web-0") == ""  # nginx-slim logs requests only
    assert fails(web, "kubectl logs web-0 --previous").stderr == (
        'Error from server (BadRequest): previous terminated container "nginx" in pod "web-0" '
        "not found\n"
    )
    ok(web, "kubectl scale sts web --replicas=3")
    assert fails(web, "kubectl logs web-2").stderr == (
        'Error from server (BadRequest): container "nginx" in pod "web-2" is waiting to start: '
        "ContainerCreating\n"
    )
    assert ok(web, "kubectl version").splitlines()[-1] == "Server Version: v1.35.0"
    assert ok(web, "kubectl cluster-info").startswith("Kubernetes control plane is running at ")
    assert fails(web, "kubectl top pods").stderr == "error: Metrics API not available\n"


def test_create_from_file_namespace_and_deployment(cluster: Cluster) -> None:
    assert ok(cluster, f"kubectl create -f {WEB_YAML}") == (
        "service/nginx created\nstatefulset.apps/web created\n"
    )
    again = fails(cluster, f"kubectl create -f {WEB_YAML}")
    assert again.stderr.splitlines()[0] == (
        f'Error from server (AlreadyExists): error when creating "{WEB_YAML}": services '
        '"nginx" already exists'
    )
    assert ok(cluster, "kubectl create namespace other") == "namespace/other created\n"
    out = ok(cluster, "kubectl create deployment hello --image=nginx:1.27 --replicas=2 -n other")
    assert out == "deployment.apps/hello created\n"
    cluster.settle()
    assert ok(cluster, "kubectl get deploy hello -n other").splitlines()[1].split()[1] == "2/2"
    result = run(
        cluster, "kubectl run -i --rm t --image=busybox --restart=Never -n other -- nslookup nginx"
    )
    assert "** server can't find nginx.other.svc.cluster.local: NXDOMAIN" in result.stdout
    assert fails(cluster, "kubectl create deployment x").stderr == (
        'error: required flag(s) "image" not set\n'
    )


def test_delete_cascade_orphan_and_grace_period(web: Cluster) -> None:
    start = web.clock.now()
    assert ok(web, "kubectl delete pod web-1 --grace-period=2") == (
        'pod "web-1" deleted from default namespace\n'
    )
    assert web.clock.now() - start <= 2.5  # the grace period caps the container's stop time
    web.settle()
    assert ok(web, "kubectl delete sts web --cascade=orphan") == (
        'statefulset.apps "web" deleted from default namespace\n'
    )
    web.settle()
    lines = ok(web, "kubectl get pods").splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["web-0", "web-1"]  # orphaned, not deleted
    assert ok(web, f"kubectl apply -f {WEB_YAML}").endswith("statefulset.apps/web created\n")
