"""Whatever a learner types, the command language answers with output or an error — never a
crash (an "internal error" would mean an exception escaped a command)."""

from __future__ import annotations

import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import WEB_YAML

VERBS = [
    "get", "describe", "delete", "scale", "patch", "set", "label", "annotate", "rollout",
    "wait", "cordon", "uncordon", "drain", "exec", "run", "logs", "events", "apply", "create",
    "api-resources", "top", "version",
]  # fmt: skip
WORDS = [
    "pods", "po", "sts", "statefulset/web", "svc", "nginx", "web", "web-0", "web-9", "pod/web-1",
    "nodes", "worker-1", "pvc", "pv", "ep", "endpointslices", "ev", "all", "ns", "sc", "cr",
    "deploy", "rs", "controllerrevisions", "image", "nginx=nginx:1.27", "status", "history",
    "undo", "restart", "app=nginx", "tier-", "--", "hostname", "cat", "/etc/hosts", "sh", "-c",
    "echo hi > /tmp/x", "ls", "nslookup",
]  # fmt: skip
FLAGS = [
    "-o", "wide", "-o=yaml", "-ojson", "-o name", "-o", "jsonpath={.items[*].metadata.name}",
    "-l", "app=nginx", "-A", "-n", "kube-system", "--all", "--force", "--grace-period=0",
    "--wait=false", "--replicas=3", "--replicas=-1", "--for=delete", "--for=condition=Ready",
    "--timeout=5s", "--timeout=0", "-p", '{"spec":{"replicas":2}}', "--type=json",
    "--show-labels", "--sort-by=.metadata.name", "-w", "--request-timeout=2s", "--overwrite",
    "--ignore-daemonsets", "--cascade=orphan", "-it", "--rm", "--image=busybox", "-c", "x",
    "--field-selector=status.phase=Running", "-L", "app", "--no-headers", "-f", "-",
    "--bogus", "-z",
]  # fmt: skip

token = st.sampled_from(WORDS + FLAGS) | st.text(min_size=1, max_size=6)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=st.sampled_from(["", "kubectl ", "k "]),
    verb=st.sampled_from(VERBS),
    args=st.lists(token, max_size=6),
)
def test_no_command_crashes(prefix: str, verb: str, args: list[str]) -> None:
    cluster = _cluster()
    line = prefix + verb + " " + " ".join(shlex.quote(a) for a in args)
    result = run(cluster, line)
    assert "internal error" not in result.stderr, (line, result.text)
    assert (result.code == 0) or result.stderr, (line, result.text)


def _cluster() -> Cluster:
    """A settled seed cluster (fresh for each example: commands change it)."""
    cluster = Cluster(seed=3)
    run(cluster, f"kubectl apply -f {WEB_YAML}")
    cluster.settle()
    return cluster
