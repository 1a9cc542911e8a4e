"""Our output against the real ``kubectl`` binary's, on the same objects.

A read-only fake API server (:mod:`tests.engine.kube_api_fake`) serves a playground cluster on
127.0.0.1; the installed kubectl (client-side describe, events, ``-o yaml|json|jsonpath``,
custom columns, sort-by, rollout history, errors) prints from it, and the command language must
print the same bytes. For ``get`` tables the server answers with Table rows whose cells come
from our printers, so there the comparison covers kubectl's own part: headers, wide columns,
alignment, NAMESPACE/LABELS/label columns, kind prefixes and blank lines between kinds, and the
empty-result messages. The simulated clock is aligned with the wall clock (objects 10.5 days
old) so ages agree.

Not compared: ``describe statefulset`` — kubectl ≥ 1.34 adds Service Name, Pod Management
Policy and the PVC retention block (k8s-semantics §7.4), which the installed 1.32 lacks.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.clock import VirtualClock
from engine.cluster import Cluster
from engine.kubectl import gosort, run
from tests.engine.kube_api_fake import serve
from tests.engine.kubectl_helpers import WEB_YAML

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
AGE = 10.5 * 86400.0
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels: {app: hello}
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: nginx:1.25
        ports:
        - containerPort: 80
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: "0.5", memory: 0.125Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector: {app: hello}
  ports:
  - port: 8080
    targetPort: 80
"""

COMMANDS = [
    "describe pod web-0",
    "describe pod web-3",
    "describe pods",
    "describe service nginx",
    "describe endpoints nginx",
    "describe endpointslices",
    "describe pvc",
    "describe pv",
    "describe nodes",
    "describe pods -l app=hello",
    "describe namespace default",
    "describe storageclass",
    "describe replicasets",
    "events",
    "events -A",
    "events --for pod/web-3",
    "events --types=Warning",
    "get pod web-0 -o yaml",
    "get pods -o json",
    "get statefulset web -o yaml",
    "get pods -o jsonpath={.items[*].status.podIP}",
    "get pods -o name",
    "get pods -o yaml",
    "get sts,svc -o name",
    "get pods web-0 nope -o name",
    "get podz",
    "describe podz",
    "get pods -l statefulset.kubernetes.io/pod-name=web-1 -o json",
    "get pods -o custom-columns=NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName",
    "get pods -o custom-columns=NAME:.metadata.name,GATES:.spec.readinessGates --no-headers",
    "get pods --sort-by=.status.podIP -o name",
    "get events --sort-by=.lastTimestamp -o jsonpath={.items[*].reason}",
    "get pods -o \"jsonpath={range.items[*]}{.metadata.name}{'\\t'}{.status.phase}{'\\n'}{end}\"",
    "get pods -o 'jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}'",
    "rollout history statefulset/web",
    "get pods",
    "get pods -o wide",
    "get pods --show-labels",
    "get pods -L app -L apps.kubernetes.io/pod-index",
    "get all",
    "get sts,svc",
    "get svc -A",
    "get pvc,pv",
    "get nodes -o wide",
    "get events",
    "get events -o wide",
    "get endpoints",
    "get endpointslices",
    "get sc",
    "get ns",
    "get controllerrevisions",
    "get pods -n kube-public",
    "get pods web-0 nope",
    "get pods --no-headers",
    "get pods --sort-by=.status.podIP",
    "get events --sort-by=.lastTimestamp",
    "get pods -A --sort-by=.spec.nodeName -o wide",
    "describe deployment hello",
    "get deployments -o wide",
    "get replicasets -o wide",
    "get svc hello -o wide",
    "rollout history deployment/hello",
    "describe service hello",
    "describe pod nope",
    "get statefulset nope",
]


@pytest.fixture(scope="module")
def busy() -> Cluster:
    """The seed's cluster after a scale-up, a rolling update, a crash and a cordon; the last
    change 10.5 days before now on the wall clock."""
    now = datetime.now(UTC).replace(microsecond=0)
    cluster = Cluster(seed=0, clock=VirtualClock(epoch=now - timedelta(seconds=AGE)))
    for line in (
        f"kubectl apply -f {WEB_YAML}",
        "kubectl rollout status sts/web",
        "kubectl delete pod web-1",
        "kubectl scale sts web --replicas=5",
        "kubectl rollout status sts/web",
        "kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.27",
        "kubectl rollout status sts/web",
        "fault crash web-3",
        "sleep 40s",
        "kubectl cordon worker-2",
    ):
        run(cluster, line)
    run(cluster, "kubectl apply -f -", stdin=DEPLOYMENT)
    cluster.settle()
    run(cluster, "kubectl set image deployment/hello hello=nginx:1.27")
    cluster.settle()
    cluster.advance(AGE - cluster.clock.now())
    return cluster


@pytest.fixture(scope="module", autouse=True)
def go_sort_of_installed_kubectl() -> Iterator[None]:
    """Sort as the installed kubectl does: its Go version decides breakPatterns' xorshift
    (the playground follows kubectl 1.35's Go 1.25; kubectl 1.32 is built with Go 1.23)."""
    assert KUBECTL is not None
    version = subprocess.run(
        [KUBECTL, "version", "--client", "-o", "json"], capture_output=True, text=True, check=False
    )
    go = json.loads(version.stdout or "{}").get("clientVersion", {}).get("goVersion", "go1.25")
    minor = int(go.removeprefix("go").split(".")[1])
    saved = gosort.XORSHIFT_SHIFTS
    if minor <= 23:
        gosort.XORSHIFT_SHIFTS = gosort.GO123_XORSHIFT_SHIFTS
    yield
    gosort.XORSHIFT_SHIFTS = saved


@pytest.fixture(scope="module")
def server(busy: Cluster) -> Iterator[str]:
    with serve(busy) as url:
        yield url


@pytest.mark.parametrize("command", COMMANDS)
def test_same_bytes_as_kubectl(
    busy: Cluster, server: str, command: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache: Path = tmp_path_factory.mktemp("kubecache")
    env = dict(os.environ, KUBECONFIG=os.devnull, KUBECACHEDIR=str(cache))
    assert KUBECTL is not None
    real = subprocess.run(
        [KUBECTL, f"--server={server}", *shlex.split(command)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    ours = run(busy, f"kubectl {command}")
    assert ours.stdout == real.stdout
    assert ours.stderr == real.stderr
    assert (ours.code != 0) == (real.returncode != 0)
