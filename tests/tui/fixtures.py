"""Store-level fixtures for the TUI tests.

:func:`store_cluster` builds the seed's world (headless Service ``nginx``, StatefulSet ``web``
with its pods, claims, volumes, endpoints and events) by writing objects straight into the
store, as controller unit tests in Kubernetes do with fakes. Panel tests use it so they do not
depend on the controllers; the scenario tests (``test_scenarios.py``) run the real engine.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.clock import Clock, VirtualClock
from engine.cluster import Cluster
from engine.objects import Obj, is_pod_ready
from tests.helpers import set_pod_status
from tests.worlds import NS, add_bound_claim, endpoint_slice, web_pod

WEB_YAML = "demos/manifests/web.yaml"


def _probe(check: Callable[[], object]) -> bool:
    try:
        check()
    except NotImplementedError:
        return False
    return True


def _kubelet_runs_pods() -> bool:
    def check() -> None:
        cluster = Cluster(seed=0)
        cluster.apply(WEB_YAML)
        cluster.settle()
        pods = cluster.store.list("Pod", "default")
        if not pods or not all(is_pod_ready(p) for p in pods):
            raise NotImplementedError("pods never turn Ready")

    return _probe(check)


def _dns_tools() -> bool:
    from engine.dns import tools

    return _probe(lambda: tools.run_nslookup(Cluster(seed=0), ["kubernetes"], "default"))


def _kubectl() -> bool:
    from engine import kubectl

    return _probe(lambda: kubectl.run(Cluster(seed=0), "get pods", "default"))


#: which engine parts main has (the scenario tests skip, naming what they wait for)
HAS_ENGINE = _kubelet_runs_pods()
HAS_DNS = _dns_tools()
HAS_KUBECTL = _kubectl()


def _service() -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "nginx", "namespace": NS, "labels": {"app": "nginx"}},
        "spec": {
            "clusterIP": "None",
            "clusterIPs": ["None"],
            "type": "ClusterIP",
            "selector": {"app": "nginx"},
            "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}],
        },
    }


def _statefulset(replicas: int) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {
            "serviceName": "nginx",
            "replicas": replicas,
            "podManagementPolicy": "OrderedReady",
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx-slim:0.24"}]},
            },
        },
    }


def add_pod(cluster: Cluster, sts: Obj, ordinal: int, *, ready: bool = True) -> Obj:
    """Create pod ``web-<ordinal>`` with its claim and volume, Running (and Ready)."""
    name = f"web-{ordinal}"
    pv = f"pvc-0000000{ordinal}-8b4d-4c1e-9f2a-5d7e8a9b0c11"
    add_bound_claim(cluster, f"www-{name}", pv, f"vol-{ordinal}")
    cluster.store.create(web_pod(sts, ordinal, image="nginx-slim:0.24"))
    ip = f"10.244.{ordinal % 3 + 1}.{10 + ordinal}"
    return set_pod_status(cluster, NS, name, ready=ready, ip=ip, node=f"worker-{ordinal % 3 + 1}")


def set_endpoints(cluster: Cluster, pods: list[Obj]) -> None:
    """Write the nginx EndpointSlice for ``pods`` (ready per the pod's Ready condition)."""
    existing = cluster.store.get("EndpointSlice", NS, "nginx-abcde")
    slice_obj = endpoint_slice("nginx-abcde", pods)
    if existing is None:
        cluster.store.create(slice_obj)
    else:
        cluster.store.update(slice_obj)


def store_cluster(replicas: int = 2, clock: Clock | None = None) -> Cluster:
    """The seed's world written straight into the store of a cluster whose controllers are
    switched off, so what the panels show depends on these objects alone (stable snapshots
    whatever the controllers do)."""
    cluster = Cluster(seed=0, clock=clock or VirtualClock())
    cluster.controllers.clear()
    svc = cluster.store.create(_service())
    sts = cluster.store.create(_statefulset(replicas))
    pods = [add_pod(cluster, sts, i) for i in range(replicas)]
    set_endpoints(cluster, pods)
    status = dict(sts)
    status["status"] = {
        "replicas": replicas,
        "readyReplicas": replicas,
        "currentRevision": "web-6d4f8c7b9",
        "updateRevision": "web-6d4f8c7b9",
    }
    cluster.store.update(status)
    for pod in pods:
        cluster.events.normal(
            sts,
            "SuccessfulCreate",
            f"create Pod {pod['metadata']['name']} in StatefulSet web successful",
            "statefulset-controller",
        )
    cluster.events.normal(svc, "Created", "headless service created", "playground")
    return cluster


def crowded_cluster(pods: int) -> Cluster:
    """:func:`store_cluster` of 3 replicas plus pods ``web-3`` … ``web-<pods - 1>`` (Running,
    Ready, with claims): a pods panel longer than any screen."""
    cluster = store_cluster(3)
    sts = cluster.store.must_get("StatefulSet", NS, "web")
    for ordinal in range(3, pods):
        add_pod(cluster, sts, ordinal)
    return cluster
