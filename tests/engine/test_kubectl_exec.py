"""``kubectl exec``: programs, the tiny sh, files in volumes, and kubectl's errors."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.kubectl import run
from tests.engine.kubectl_helpers import create_web, fails, make_ready, ok

HTML = "/usr/share/nginx/html"


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    create_web(cluster, replicas=2)
    make_ready(cluster, 2)
    cluster.settle()
    return cluster


def test_hostname_and_kubelet_files(web: Cluster) -> None:
    assert ok(web, "exec web-0 -- hostname") == "web-0\n"
    assert ok(web, "exec web-0 -- cat /etc/hostname") == "web-0\n"
    hosts = ok(web, "exec web-1 -- cat /etc/hosts")
    assert hosts.startswith("# Kubernetes-managed hosts file.\n")
    assert hosts.endswith("10.244.2.11\tweb-1.nginx.default.svc.cluster.local\tweb-1\n")


def test_sh_redirects_and_volume_data_outlive_the_pod(web: Cluster) -> None:
    script = (
        f"echo hello > {HTML}/index.html && echo more >> {HTML}/index.html; cat {HTML}/index.html"
    )
    assert ok(web, f"exec web-0 -- sh -c '{script}'") == "hello\nmore\n"
    assert "index.html\n" in ok(web, f"exec web-0 -- ls {HTML}")
    assert ok(web, f"exec web-0 -- cat {HTML}/index.html") == "hello\nmore\n"


def test_failing_commands_report_exit_codes(web: Cluster) -> None:
    missing = fails(web, "exec web-0 -- cat /nope")
    assert missing.chunks == [
        ("err", "cat: can't open '/nope': No such file or directory\n"),
        ("err", "command terminated with exit code 1\n"),
    ]
    unknown = fails(web, "exec web-0 -- frob", code=126)
    assert unknown.stdout.startswith("OCI runtime exec failed: exec failed:")
    assert unknown.stderr == "command terminated with exit code 126\n"
    in_sh = fails(web, "exec web-0 -- sh -c 'frob'", code=127)
    assert in_sh.stderr == "sh: frob: not found\ncommand terminated with exit code 127\n"
    assert ok(web, "exec web-0 -- sh -c 'false || echo rescued'") == "rescued\n"
    assert ok(web, "exec web-0 -- sh -c 'false && echo no; echo yes'") == "yes\n"


def test_exec_errors(web: Cluster) -> None:
    assert fails(web, "exec").stderr == "error: pod, type/name or --filename must be specified\n"
    assert fails(web, "exec web-0 --").stderr == (
        "error: you must specify at least one command for the container\n"
    )
    assert fails(web, "exec nope -- ls").stderr == (
        'Error from server (NotFound): pods "nope" not found\n'
    )
    assert fails(web, "exec web-0 -c sidecar -- ls").stderr == (
        "Error from server (BadRequest): container sidecar is not valid for pod web-0\n"
    )


def test_exec_into_a_pod_that_is_not_running(web: Cluster) -> None:
    ok(web, "scale sts web --replicas=3")
    web.drain()
    assert fails(web, "exec web-2 -- hostname").stderr == (
        'error: unable to upgrade connection: container not found ("nginx")\n'
    )


def test_deprecated_form_without_dashes(web: Cluster) -> None:
    result = run(web, "exec web-0 hostname")
    assert result.code == 0
    assert result.stdout == "web-0\n"
    assert result.stderr.startswith("kubectl exec [POD] [COMMAND] is DEPRECATED")


def test_sh_expands_command_substitution_and_variables(web: Cluster) -> None:
    assert ok(web, "exec web-1 -- sh -c 'echo \"$(hostname)\" is $HOSTNAME in ${PWD}'") == (
        "web-1 is web-1 in /\n"
    )
    assert ok(web, "exec web-1 -- sh -c \"echo '$HOSTNAME'\"") == "$HOSTNAME\n"
