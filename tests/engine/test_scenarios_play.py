"""Every demo plays to the end headlessly, and its final state is what it teaches."""

from __future__ import annotations

import io

import pytest

from engine.objects import is_pod_ready
from engine.scenarios import Playback, Scenario, load_scenario, parse_scenario, play, scenario_names
from engine.scenarios.player import ScenarioFailed


def _play(name: str) -> Playback:
    return play(load_scenario(name))


def _pods(playback: Playback, prefix: str = "") -> list[str]:
    pods = playback.cluster.store.list("Pod", "default")
    return sorted(p["metadata"]["name"] for p in pods if p["metadata"]["name"].startswith(prefix))


def _ready_web(playback: Playback) -> list[str]:
    pods = playback.cluster.store.list("Pod", "default")
    return sorted(
        p["metadata"]["name"]
        for p in pods
        if p["metadata"]["name"].startswith("web-")
        and is_pod_ready(p)
        and not p["metadata"].get("deletionTimestamp")
    )


EXPECTED = {
    "clusterip-vs-headless",
    "deployment-vs-statefulset",
    "headless-dns",
    "node-failure",
    "ordered-startup",
    "partitioned-rollout",
    "storage",
    "topology-recovery",
}


def test_the_demo_set_is_complete() -> None:
    assert set(scenario_names()) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_demo_plays_to_the_end(name: str) -> None:
    scenario = load_scenario(name)
    out = io.StringIO()
    playback = play(scenario, out=out)
    assert len(playback.results) == len(scenario.steps)
    assert all(r.code == 0 for r in playback.results if r.step.kind != "pin")
    times = [r.time for r in playback.results]
    assert times == sorted(times)
    for caption in scenario.captions():
        assert f"# {caption.splitlines()[0]}" in out.getvalue()


def test_storage_reads_back_what_web_0_wrote() -> None:
    playback = _play("storage")
    steps = playback.scenario.steps
    reads = [
        playback.results[s.number - 1].output
        for s in steps
        if s.kind == "command" and s.text.endswith("cat /usr/share/nginx/html/index.html")
    ]
    assert reads == ["hello\n", "hello\n", "from-web-1\n"]
    # the claim of the recreated web-1 is the one it had before scaling down
    claims = playback.cluster.store.list("PersistentVolumeClaim", "default")
    assert sorted(c["metadata"]["name"] for c in claims) == ["www-web-0", "www-web-1"]
    pod = playback.cluster.store.must_get("Pod", "default", "web-1")
    volumes = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"]]
    assert "www-web-1" in volumes


def test_ordered_startup_ends_at_two_ready_pods_and_four_claims() -> None:
    playback = _play("ordered-startup")
    assert _ready_web(playback) == ["web-0", "web-1"]
    claims = playback.cluster.store.list("PersistentVolumeClaim", "default")
    assert len(claims) == 4
    first = playback.output_of(2)
    assert "web-0" in first
    assert "web-1" not in first


def test_topology_recovery_returns_the_same_names_with_new_pods() -> None:
    scenario = load_scenario("topology-recovery")
    playback = play(scenario)
    assert _ready_web(playback) == ["web-0", "web-1", "web-2"]
    listing = next(
        r.output
        for r in playback.results
        if r.output.startswith("NAME    READY   STATUS              ")
    )
    assert "web-0" in listing
    assert "web-2" not in listing


def test_partitioned_rollout_finishes_on_the_new_image() -> None:
    playback = _play("partitioned-rollout")
    images = {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
        for p in playback.cluster.store.list("Pod", "default")
    }
    assert images == {f"web-{i}": "registry.k8s.io/nginx-slim:0.27" for i in range(3)}


def test_node_failure_replaces_the_deployment_pod_only_after_force_delete_for_the_set() -> None:
    playback = _play("node-failure")
    web1 = playback.cluster.store.must_get("Pod", "default", "web-1")
    assert web1["spec"]["nodeName"] != "worker-1"
    assert is_pod_ready(web1)
    evicted = next(r.output for r in playback.results if "Terminating" in r.output)
    assert "web-1 " in evicted  # the old web-1 is stuck Terminating until force-deleted
    running_deploy = [
        line
        for line in evicted.splitlines()
        if line.startswith("nginx-deploy") and "Running" in line
    ]
    assert len(running_deploy) == 2  # the Deployment already replaced its pod


def test_deployment_pods_have_random_names_and_no_dns_of_their_own() -> None:
    playback = _play("deployment-vs-statefulset")
    deploy = _pods(playback, "nginx-deploy-")
    assert len(deploy) == 4
    assert all(len(name.split("-")) == 4 for name in deploy)
    from engine import kubectl

    result = kubectl.run(
        playback.cluster, f"nslookup {deploy[0]}.nginx-deploy.default.svc.cluster.local"
    )
    assert result.code != 0
    assert "NXDOMAIN" in result.text


def test_headless_dns_answers_with_every_ready_pod() -> None:
    playback = _play("headless-dns")
    from engine import kubectl

    answer = kubectl.run(playback.cluster, "nslookup nginx.default.svc.cluster.local").text
    ips = {p["status"]["podIP"] for p in playback.cluster.store.list("Pod", "default")}
    assert len(ips) == 3
    assert all(f"Address: {ip}" in answer for ip in ips)


WEB = "manifests: [web.yaml]\n"


def _inline(steps: str, manifests: str = WEB) -> Scenario:
    """A scenario file ``x.yaml`` with these steps (YAML lines), on web.yaml by default."""
    text = f"title: t\ndescription: d\n{manifests}steps:\n{steps}"
    return parse_scenario(text, "x.yaml", name="x")


@pytest.mark.parametrize(
    ("manifests", "steps", "problem"),
    [
        pytest.param(
            WEB,
            "  - caption: hi\n  - command: kubectl get pods\n    expect: web-9\n",
            r"step 2: output does not contain 'web-9'",
            id="failed-expectation",
        ),
        pytest.param(
            WEB,
            "  - wait: {for: condition=Ready, object: pod/web-5, timeout: 10s}\n",
            r"step 1: timed out .* on pods/web-5",
            id="wait-times-out",
        ),
        pytest.param(
            "",
            "  - command: kubectl get pod nope\n",
            r'step 1: exit status 1: .*"nope" not found',
            id="failing-command",
        ),
        pytest.param(
            WEB,
            "  - command: kubectl label pod web-1 demo=yes\n"
            "  - wait: {for: delete, object: pod/web-0, timeout: 20s}\n",
            r"step 2: timed out .* on pods/web-0",
            id="delete-wait-on-untouched-object",
        ),
    ],
)
def test_a_failing_step_stops_the_demo_naming_file_and_step(
    manifests: str, steps: str, problem: str
) -> None:
    with pytest.raises(ScenarioFailed, match=r"x\.yaml: " + problem):
        play(_inline(steps, manifests))


def test_a_real_clock_cluster_starts_settled_and_running() -> None:
    from engine.clock import RealClock
    from engine.scenarios import build_cluster

    clock = RealClock(monotonic=lambda: 0.0)  # real time stands still: only steps move it
    cluster = build_cluster(load_scenario("storage"), clock)
    pods = cluster.store.list("Pod", "default")
    assert sorted(p["metadata"]["name"] for p in pods) == ["web-0", "web-1"]
    assert all(is_pod_ready(p) for p in pods)
    assert not clock.paused


def test_a_delete_wait_counts_from_the_last_changing_command() -> None:
    """Live, the cluster runs on after a command: the pod may already be replaced when the
    wait starts. The wait still means "the web-0 the delete command saw is gone"."""
    scenario = _inline(
        "  - command: kubectl delete pod web-0 --wait=false\n"
        "  - pause: 30s\n"
        "  - command: kubectl get pods\n"
        "  - wait: {for: delete, object: pod/web-0, timeout: 1s}\n"
        "  - wait: {for: condition=Ready, object: pod/web-0, timeout: 1s}\n"
    )
    playback = play(scenario)
    assert playback.results[3].output == "pod/web-0 condition met\n"
