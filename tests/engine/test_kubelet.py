"""The simulated kubelet: pod timeline, IPs, image pulls, probes, crashes and termination."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.config import ClusterConfig, Timings
from engine.format import pod_ready_column, pod_restarts_column, pod_status_column
from engine.ipam import NodeIPAM, RangeExhausted
from engine.objects import Obj, copy_obj, pod_condition
from engine.pod_runtime import go_duration, normalize_image
from tests.engine.podutil import cond, container, create, events, get, make_pod, reasons


def column(cluster: Cluster, name: str) -> tuple[str, str]:
    pod = get(cluster, name)
    return pod_ready_column(pod), pod_status_column(pod)


def test_pod_timeline_from_scheduling_to_ready(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    pod = get(cluster, "web-0")
    assert pod["spec"]["nodeName"] == "worker-1"
    assert column(cluster, "web-0") == ("0/1", "ContainerCreating")
    status = pod["status"]
    assert status["phase"] == "Pending"
    assert "podIP" not in status
    assert status["hostIP"] == "172.18.0.3"
    assert status["startTime"] == "2026-07-06T10:00:00Z"
    assert container(pod)["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    assert cond(pod, "PodScheduled") == "True"
    assert cond(pod, "Ready") == "False"

    cluster.advance(2.9)
    assert column(cluster, "web-0") == ("0/1", "ContainerCreating")
    cluster.advance(0.1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "Running")
    assert pod["status"]["podIP"] == "10.244.1.2"
    assert pod["status"]["podIPs"] == [{"ip": "10.244.1.2"}]
    assert cond(pod, "PodReadyToStartContainers") == "True"
    assert cond(pod, "Ready") == "False"
    assert container(pod)["started"] is True
    assert container(pod)["state"] == {"running": {"startedAt": "2026-07-06T10:00:03Z"}}

    cluster.advance(1.9)
    assert cond(get(cluster, "web-0"), "Ready") == "False"
    cluster.advance(0.1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("1/1", "Running")
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["lastTransitionTime"] == "2026-07-06T10:00:05Z"
    assert container(pod)["ready"] is True
    image = "registry.k8s.io/nginx-slim:0.24"
    assert events(cluster, pod) == [
        ("Normal", "Scheduled", "Successfully assigned default/web-0 to worker-1"),
        ("Normal", "Pulling", f'Pulling image "{image}"'),
        (
            "Normal",
            "Pulled",
            f'Successfully pulled image "{image}" in 2s (2s including waiting). '
            f"Image size: {events(cluster, pod)[2][2].split('Image size: ')[1]}",
        ),
        ("Normal", "Created", "Created container: nginx"),
        ("Normal", "Started", "Started container nginx"),
    ]
    assert events(cluster, pod)[2][2].endswith(" bytes.")


def test_image_already_on_the_node_is_not_pulled_again(cluster: Cluster) -> None:
    create(cluster, make_pod("a", node="worker-2"))
    cluster.advance(10)
    create(cluster, make_pod("b", node="worker-2"))
    pod = get(cluster, "b")
    assert (
        "Normal",
        "Pulled",
        'Container image "registry.k8s.io/nginx-slim:0.24" already present on machine',
    ) in events(cluster, pod)
    assert "Pulling" not in reasons(cluster, pod)
    cluster.advance(1)
    assert column(cluster, "b") == ("0/1", "Running")
    assert get(cluster, "b")["status"]["podIP"] == "10.244.2.3"


def test_latest_tag_is_pulled_again_quickly(cluster: Cluster) -> None:
    create(cluster, make_pod("a", node="worker-2", image="nginx"))
    cluster.advance(10)
    create(cluster, make_pod("b", node="worker-2", image="nginx"))
    assert reasons(cluster, get(cluster, "b"))[:1] == ["Pulling"]
    cluster.advance(1.5)
    pod = get(cluster, "b")
    assert container(pod)["image"] == "docker.io/library/nginx:latest"
    assert any("in 500ms (500ms including waiting)" in e[2] for e in events(cluster, pod))


def test_readiness_probe_initial_delay(cluster: Cluster) -> None:
    probe = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 10}
    create(cluster, make_pod("web-0", container={"readinessProbe": probe}))
    cluster.advance(12.9)
    assert column(cluster, "web-0") == ("0/1", "Running")
    cluster.advance(0.1)
    assert column(cluster, "web-0") == ("1/1", "Running")


def test_readiness_fault_fails_after_threshold_and_recovers(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(10)
    cluster.fault_readiness("default", "web-0", True)
    pod = get(cluster, "web-0")
    assert pod["metadata"]["annotations"] == {"playground.local/readiness": "fail"}
    cluster.advance(29.9)
    assert column(cluster, "web-0") == ("1/1", "Running")
    cluster.advance(0.1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "Running")
    assert cond(pod, "Ready") == "False"
    assert cond(pod, "ContainersReady") == "False"
    unhealthy = [e for e in cluster.events.for_object(pod) if e["reason"] == "Unhealthy"]
    assert len(unhealthy) == 1
    assert unhealthy[0]["count"] == 3
    assert unhealthy[0]["type"] == "Warning"
    http_failure = "Readiness probe failed: HTTP probe failed with statuscode: 503"
    assert unhealthy[0]["message"] == http_failure

    cluster.advance(60)
    assert column(cluster, "web-0") == ("0/1", "Running")
    cluster.fault_readiness("default", "web-0", False)
    assert "annotations" not in get(cluster, "web-0")["metadata"]
    cluster.advance(9.9)
    assert column(cluster, "web-0") == ("0/1", "Running")
    cluster.advance(0.1)
    assert column(cluster, "web-0") == ("1/1", "Running")


def test_readiness_fault_honours_probe_values(cluster: Cluster) -> None:
    probe = {"tcpSocket": {"port": 80}, "periodSeconds": 5, "failureThreshold": 2}
    create(cluster, make_pod("web-0", container={"readinessProbe": probe}))
    cluster.advance(10)
    cluster.fault_readiness("default", "web-0", True)
    cluster.advance(9.9)
    assert column(cluster, "web-0") == ("1/1", "Running")
    cluster.advance(0.1)
    assert column(cluster, "web-0") == ("0/1", "Running")
    messages = [e[2] for e in events(cluster, get(cluster, "web-0")) if e[1] == "Unhealthy"]
    refused = "dial tcp 10.244.1.2:80: connect: connection refused"
    assert messages == [f"Readiness probe failed: {refused}"]


def test_crash_restarts_at_once_then_with_crash_loop_back_off(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(10)
    uid = get(cluster, "web-0")["metadata"]["uid"]
    cluster.fault_crash("default", "web-0")
    cluster.advance(1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "Error")
    state = container(pod)["state"]["terminated"]
    assert (state["exitCode"], state["reason"]) == (1, "Error")
    assert state["finishedAt"] == "2026-07-06T10:00:11Z"
    assert container(pod)["restartCount"] == 0
    cluster.advance(1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "Running")
    assert container(pod)["restartCount"] == 1
    assert container(pod)["lastState"]["terminated"]["exitCode"] == 1
    age = cluster.clock.now() - cluster.clock.parse_timestamp(state["finishedAt"])
    assert pod_restarts_column(pod, "", age) == "1 (1s ago)"
    cluster.advance(2)
    assert column(cluster, "web-0") == ("1/1", "Running")

    cluster.fault_crash("default", "web-0")
    cluster.advance(1)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "CrashLoopBackOff")
    assert pod["status"]["phase"] == "Running"
    waiting = container(pod)["state"]["waiting"]
    pod_ref = f"web-0_default({uid})"
    assert waiting["message"] == f"back-off 10s restarting failed container=nginx pod={pod_ref}"
    assert (
        "Warning",
        "BackOff",
        f"Back-off restarting failed container nginx in pod {pod_ref}",
    ) in events(cluster, pod)
    cluster.advance(10.9)
    assert column(cluster, "web-0") == ("0/1", "CrashLoopBackOff")
    cluster.advance(0.1)
    assert column(cluster, "web-0") == ("0/1", "Running")
    assert container(get(cluster, "web-0"))["restartCount"] == 2

    cluster.advance(5)
    cluster.fault_crash("default", "web-0")
    cluster.advance(1)
    message = container(get(cluster, "web-0"))["state"]["waiting"]["message"]
    assert message.startswith("back-off 20s restarting failed container=nginx")


def test_crash_needs_a_running_container(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    with pytest.raises(ValueError, match='pod "web-0" in namespace "default" has no running'):
        cluster.fault_crash("default", "web-0")
    cluster.advance(10)
    cluster.node_down("worker-1")
    with pytest.raises(ValueError, match='the kubelet of node "worker-1" is stopped'):
        cluster.fault_crash("default", "web-0")


def test_unpullable_image_backs_off_and_stays_pending(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0", image="nginx:no-such-tag"))
    cluster.advance(2)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "ErrImagePull")
    ref = "docker.io/library/nginx:no-such-tag"
    error = (
        f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": '
        f"{ref}: not found"
    )
    assert container(pod)["state"]["waiting"] == {"reason": "ErrImagePull", "message": error}
    assert ("Warning", "Failed", f'Failed to pull image "nginx:no-such-tag": {error}') in events(
        cluster, pod
    )
    assert ("Warning", "Failed", "Error: ErrImagePull") in events(cluster, pod)
    cluster.advance(10)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "ImagePullBackOff")
    assert pod["status"]["phase"] == "Pending"
    backoff = ("Normal", "BackOff", 'Back-off pulling image "nginx:no-such-tag"')
    assert backoff in events(cluster, pod)
    pulls = sum(1 for r in reasons(cluster, pod) if r == "Pulling")
    assert pulls == 1
    cluster.advance(10)
    pulling = [e for e in cluster.events.for_object(pod) if e["reason"] == "Pulling"]
    assert pulling[0]["count"] == 2
    cluster.advance(2)
    assert column(cluster, "web-0") == ("0/1", "ErrImagePull")


def test_graceful_termination_waits_for_containers(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(10)
    cluster.delete("Pod", "default", "web-0")
    pod = get(cluster, "web-0")
    assert pod_status_column(pod) == "Terminating"
    assert ("Normal", "Killing", "Stopping container nginx") in events(cluster, pod)
    cluster.advance(4.9)
    assert cond(get(cluster, "web-0"), "Ready") == "True"
    seen: list[Obj] = []
    cluster.store.subscribe(lambda ev: seen.append(ev.obj), kinds=["Pod"])
    cluster.advance(0.1)
    assert cluster.store.get("Pod", "default", "web-0") is None
    final = seen[-1]  # the kubelet's last status, then the final delete
    assert final["status"]["phase"] == "Succeeded"
    terminated = container(final)["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (0, "Completed")
    ready = pod_condition(final, "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"]) == ("False", "PodCompleted")
    assert cond(final, "PodReadyToStartContainers") == "False"


def test_short_grace_period_caps_the_stop(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(10)
    cluster.delete("Pod", "default", "web-0", grace_period=2)
    cluster.advance(1.9)
    assert cluster.store.get("Pod", "default", "web-0") is not None
    cluster.advance(0.1)
    assert cluster.store.get("Pod", "default", "web-0") is None


def test_pod_deleted_while_starting_never_becomes_ready(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(1)
    cluster.delete("Pod", "default", "web-0")
    cluster.advance(60)
    assert cluster.store.get("Pod", "default", "web-0") is None
    assert not [e for e in cluster.store.list("Event", "default") if e["reason"] == "Started"]


def test_ips_are_not_reused_while_the_range_has_fresh_addresses(cluster: Cluster) -> None:
    seen = []
    for round_ in range(3):
        create(cluster, make_pod("web-0", node="worker-1"))
        cluster.advance(5)
        seen.append(get(cluster, "web-0")["status"]["podIP"])
        cluster.delete("Pod", "default", "web-0")
        cluster.advance(10)
        assert cluster.store.get("Pod", "default", "web-0") is None, round_
    assert seen == ["10.244.1.2", "10.244.1.3", "10.244.1.4"]


def test_ipam_wraps_only_when_exhausted_and_skips_live_addresses() -> None:
    ipam = NodeIPAM("10.244.9.0/29")  # .2 … .6 assignable
    got = [ipam.allocate(set()) for _ in range(5)]
    assert got == [f"10.244.9.{i}" for i in range(2, 7)]
    assert ipam.allocate({"10.244.9.2", "10.244.9.3"}) == "10.244.9.4"
    with pytest.raises(RangeExhausted):
        ipam.allocate({f"10.244.9.{i}" for i in range(2, 7)})
    with pytest.raises(ValueError, match="invalid pod CIDR"):
        NodeIPAM("not-a-cidr")


def test_stopped_kubelet_leaves_pods_alone_until_it_is_back(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0", node="worker-3"))
    cluster.advance(10)
    cluster.node_down("worker-3")
    cluster.delete("Pod", "default", "web-0")
    cluster.advance(20)
    assert pod_status_column(get(cluster, "web-0")) == "Terminating"
    cluster.node_up("worker-3")
    cluster.advance(4.9)
    assert cluster.store.get("Pod", "default", "web-0") is not None
    cluster.advance(0.1)
    assert cluster.store.get("Pod", "default", "web-0") is None


def test_timings_come_from_the_cluster_config() -> None:
    timings = Timings(image_pull=5, container_start=2, ready_after=1)
    cluster = Cluster(ClusterConfig(timings=timings), seed=1, strict=True)
    create(cluster, make_pod("web-0"))
    cluster.advance(6.9)
    assert column(cluster, "web-0") == ("0/1", "ContainerCreating")
    cluster.advance(0.1)
    assert column(cluster, "web-0") == ("0/1", "Running")
    cluster.advance(1)
    assert column(cluster, "web-0") == ("1/1", "Running")


def test_vocabulary_helpers() -> None:
    assert normalize_image("nginx") == "docker.io/library/nginx:latest"
    assert normalize_image("bitnami/redis:7") == "docker.io/bitnami/redis:7"
    assert normalize_image("registry.k8s.io/pause:3.9") == "registry.k8s.io/pause:3.9"
    assert normalize_image("localhost:5000/app") == "localhost:5000/app:latest"
    durations = [go_duration(s) for s in (0.5, 2, 1.5, 80, 300)]
    assert durations == ["500ms", "2s", "1.5s", "1m20s", "5m0s"]


def test_running_pods_from_a_save_file_are_adopted_unchanged(cluster: Cluster) -> None:
    live = Cluster(seed=1, strict=True)
    create(live, make_pod("web-0", node="worker-1"))
    live.advance(10)
    saved = get(live, "web-0")
    restored = {k: v for k, v in saved.items()}
    restored["metadata"] = {
        k: v for k, v in saved["metadata"].items() if k in ("name", "namespace", "uid", "labels")
    }
    cluster.advance(10)
    create(cluster, restored)
    pod = get(cluster, "web-0")
    assert pod["status"] == saved["status"]
    assert events(cluster, pod) == []
    create(cluster, make_pod("web-1", node="worker-1"))
    cluster.advance(1)
    pulled = [e[2] for e in events(cluster, get(cluster, "web-1")) if e[1] == "Pulled"]
    assert pulled == [
        'Container image "registry.k8s.io/nginx-slim:0.24" already present on machine'
    ]
    cluster.advance(5)
    assert get(cluster, "web-1")["status"]["podIP"] == "10.244.1.3"


def test_changed_image_restarts_the_container(cluster: Cluster) -> None:
    create(cluster, make_pod("web-0"))
    cluster.advance(10)
    pod = copy_obj(get(cluster, "web-0"))
    pod["spec"]["containers"][0]["image"] = "registry.k8s.io/nginx-slim:0.27"
    cluster.store.update(pod)
    cluster.drain()
    pod = get(cluster, "web-0")
    assert ("Normal", "Killing", "Container nginx definition changed, will be restarted") in events(
        cluster, pod
    )
    assert container(pod)["state"]["terminated"]["reason"] == "Completed"
    cluster.advance(3)
    pod = get(cluster, "web-0")
    assert column(cluster, "web-0") == ("0/1", "Running")
    assert container(pod)["image"] == "registry.k8s.io/nginx-slim:0.27"
    assert container(pod)["restartCount"] == 1
    assert container(pod)["lastState"]["terminated"]["exitCode"] == 0


def test_containers_start_in_order_and_a_failing_one_holds_up_no_other(cluster: Cluster) -> None:
    pod = make_pod("web-0")
    pod["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36"})
    create(cluster, pod)
    cluster.advance(3)
    assert column(cluster, "web-0") == ("0/2", "ContainerCreating")
    assert get(cluster, "web-0")["status"]["phase"] == "Pending"
    cluster.advance(3)
    assert column(cluster, "web-0") == ("1/2", "Running")
    cluster.advance(2)
    assert column(cluster, "web-0") == ("2/2", "Running")
    started = [e[2] for e in events(cluster, get(cluster, "web-0")) if e[1] == "Started"]
    assert started == ["Started container nginx", "Started container sidecar"]

    bad = make_pod("web-1")
    bad["spec"]["containers"].append({"name": "sidecar", "image": "busybox:no-such-tag"})
    create(cluster, bad)
    cluster.advance(8)
    pod = get(cluster, "web-1")
    assert column(cluster, "web-1") == ("1/2", "ErrImagePull")
    assert pod["status"]["phase"] == "Pending"
    assert cond(pod, "Ready") == "False"
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["message"] == "containers with unready status: [sidecar]"


def test_status_reports_generation_and_volume_mounts(cluster: Cluster) -> None:
    mounts = [
        {"name": "www", "mountPath": "/usr/share/nginx/html"},
        {"name": "conf", "mountPath": "/etc/nginx/conf.d", "readOnly": True},
    ]
    volumes = [{"name": "www", "emptyDir": {}}, {"name": "conf", "emptyDir": {}}]
    create(
        cluster,
        make_pod("web-0", node="worker-1", volumes=volumes, container={"volumeMounts": mounts}),
    )
    assert "volumeMounts" not in container(get(cluster, "web-0"))
    cluster.advance(3)
    pod = get(cluster, "web-0")
    assert container(pod)["volumeMounts"] == [
        {"mountPath": "/usr/share/nginx/html", "name": "www"},
        {
            "mountPath": "/etc/nginx/conf.d",
            "name": "conf",
            "readOnly": True,
            "recursiveReadOnly": "Disabled",
        },
    ]
    generation = pod["metadata"]["generation"]
    assert pod["status"]["observedGeneration"] == generation
    assert {c["observedGeneration"] for c in pod["status"]["conditions"]} == {generation}


def test_exhausted_pod_cidr_fails_the_sandbox_until_an_address_frees_up() -> None:
    cluster = Cluster(ClusterConfig(nodes=1), seed=1, strict=True)
    node = copy_obj(cluster.store.must_get("Node", "", "worker-1"))
    node["spec"]["podCIDR"] = "10.244.1.0/30"  # a single assignable address: .2
    node["spec"]["podCIDRs"] = ["10.244.1.0/30"]
    cluster.store.update(node)
    create(cluster, make_pod("a"))
    create(cluster, make_pod("b"))
    cluster.advance(5)
    assert get(cluster, "a")["status"]["podIP"] == "10.244.1.2"
    pod = get(cluster, "b")
    assert column(cluster, "b") == ("0/1", "ContainerCreating")
    failures = [e[2] for e in events(cluster, pod) if e[1] == "FailedCreatePodSandBox"]
    assert failures
    assert failures[0].endswith(
        "failed to allocate for range 0: no IP addresses available in range set: "
        "10.244.1.1-10.244.1.2"
    )
    cluster.delete("Pod", "default", "a", force=True)
    cluster.advance(2)
    assert get(cluster, "b")["status"]["podIP"] == "10.244.1.2"


def init_states(pod: Obj) -> list[tuple[str, str]]:
    """(name, state or waiting/terminated reason) of the init containers."""
    out = []
    for cs in pod["status"]["initContainerStatuses"]:
        kind, detail = next(iter(cs["state"].items()))
        out.append((cs["name"], detail.get("reason") or kind))
    return out


def test_init_containers_run_to_completion_one_at_a_time(cluster: Cluster) -> None:
    pod = make_pod("mysql-0")
    pod["spec"]["initContainers"] = [
        {"name": "init-mysql", "image": "mysql:5.7"},
        {"name": "clone-mysql", "image": "gcr.io/google-samples/xtrabackup:1.0"},
    ]
    create(cluster, pod)
    pod = get(cluster, "mysql-0")
    initialized = pod_condition(pod, "Initialized")
    assert initialized is not None
    assert (initialized["status"], initialized["reason"], initialized["message"]) == (
        "False",
        "ContainersNotInitialized",
        "containers with incomplete status: [init-mysql clone-mysql]",
    )
    assert init_states(pod) == [
        ("init-mysql", "PodInitializing"),
        ("clone-mysql", "PodInitializing"),
    ]
    assert container(pod)["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert column(cluster, "mysql-0") == ("0/1", "Init:0/2")
    cluster.advance(3)
    pod = get(cluster, "mysql-0")
    assert init_states(pod) == [("init-mysql", "running"), ("clone-mysql", "PodInitializing")]
    assert pod["status"]["podIP"] == "10.244.1.2"
    assert pod["status"]["phase"] == "Pending"
    cluster.advance(1)
    assert init_states(get(cluster, "mysql-0"))[0] == ("init-mysql", "Completed")
    assert column(cluster, "mysql-0") == ("0/1", "Init:1/2")
    cluster.advance(4)
    pod = get(cluster, "mysql-0")
    assert init_states(pod) == [("init-mysql", "Completed"), ("clone-mysql", "Completed")]
    assert cond(pod, "Initialized") == "True"
    assert column(cluster, "mysql-0") == ("0/1", "PodInitializing")
    cluster.advance(5)
    assert column(cluster, "mysql-0") == ("1/1", "Running")
    started = [e[2] for e in events(cluster, get(cluster, "mysql-0")) if e[1] == "Started"]
    assert started == [
        "Started container init-mysql",
        "Started container clone-mysql",
        "Started container nginx",
    ]


def test_init_container_that_cannot_pull_holds_the_pod(cluster: Cluster) -> None:
    pod = make_pod("web-0")
    pod["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:no-such-tag"}]
    create(cluster, pod)
    cluster.advance(60)
    pod = get(cluster, "web-0")
    assert init_states(pod)[0][1] in ("ErrImagePull", "ImagePullBackOff")
    assert column(cluster, "web-0")[1] == f"Init:{init_states(pod)[0][1]}"
    assert container(pod)["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert pod["status"]["phase"] == "Pending"
    assert "Pulling" not in [e[1] for e in events(cluster, pod) if "nginx-slim" in e[2]]


def test_sidecar_init_container_keeps_running_and_stops_last(cluster: Cluster) -> None:
    pod = make_pod("web-0")
    pod["spec"]["initContainers"] = [
        {"name": "log", "image": "busybox:1.36", "restartPolicy": "Always"}
    ]
    create(cluster, pod)
    assert cond(get(cluster, "web-0"), "Initialized") == "False"
    cluster.advance(3)
    pod = get(cluster, "web-0")
    assert init_states(pod) == [("log", "running")]
    assert cond(pod, "Initialized") == "True"
    cluster.advance(5)
    pod = get(cluster, "web-0")
    assert cond(pod, "Ready") == "True"
    assert init_states(pod) == [("log", "running")]
    assert column(cluster, "web-0") == ("2/2", "Running")
    cluster.delete("Pod", "default", "web-0")
    killing = [e[2] for e in events(cluster, get(cluster, "web-0")) if e[1] == "Killing"]
    assert killing == ["Stopping container nginx", "Stopping container log"]
