"""The script runner: comments, continuations, here-documents, echo, stop/keep going."""

from __future__ import annotations

import io

from engine.cluster import Cluster
from engine.script import run_script


def run(cluster: Cluster, text: str, **kw: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_script(
        cluster,
        text,
        echo=kw.get("echo", False),
        keep_going=kw.get("keep_going", False),
        out=out,
        err=err,
        source="demo.txt",
    )
    return code, out.getvalue(), err.getvalue()


def test_echo_comments_and_continuation(cluster: Cluster) -> None:
    text = "# a comment\n\nkubectl get \\\n  ns default   # trailing comment\n"
    code, out, err = run(cluster, text, echo=True)
    assert code == 0
    assert err == ""
    assert out.startswith(
        "$ kubectl get   ns default   # trailing comment\nNAME      STATUS   AGE\n"
    )


def test_stops_at_the_first_failure(cluster: Cluster) -> None:
    code, out, err = run(cluster, "get podz\nget ns default\n")
    assert code == 1
    assert out == ""
    assert err == 'error: the server doesn\'t have a resource type "podz"\n'


def test_keep_going_runs_everything_and_reports_failure(cluster: Cluster) -> None:
    code, out, _ = run(cluster, "get podz\nget ns default\n", keep_going=True)
    assert code == 1
    assert out.startswith("NAME ")


def test_runner_errors_name_the_line(cluster: Cluster) -> None:
    code, _, err = run(cluster, "get ns\n\nget pods -l 'app\n")
    assert code == 2
    assert err == "demo.txt:3: unterminated quote\n"
    code, _, err = run(cluster, "kubectl apply -f - <<EOF\nkind: x\n")
    assert code == 2
    assert err == "demo.txt:1: here-document at line 1 delimited by end-of-file (wanted 'EOF')\n"


def test_sleep_moves_time(cluster: Cluster) -> None:
    start = cluster.clock.now()
    code, _, _ = run(cluster, "sleep 5s\nsleep 1.5\n")
    assert code == 0
    assert cluster.clock.now() - start == 6.5


def test_here_document_reaches_stdin(cluster: Cluster) -> None:
    manifest = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n"
    code, out, err = run(cluster, f"kubectl delete -f - <<EOF\n{manifest}EOF\n", echo=True)
    assert (code, err) == (0, "")
    assert out == (
        f"$ kubectl delete -f - <<EOF\n{manifest}EOF\n"
        'service "kubernetes" deleted from default namespace\n'
    )
    assert cluster.store.get("Service", "default", "kubernetes") is None
    code, _, err = run(cluster, "kubectl apply -f -\n")
    assert code == 1
    assert "no standard input here" in err


def test_one_line_for_loops_as_the_tutorials_write_them(cluster: Cluster) -> None:
    text = (
        "for ns in default kube-system; do kubectl get ns $ns -o name; kubectl get ns '$ns'; done\n"
    )
    code, out, err = run(cluster, text, echo=True, keep_going=True)
    assert code == 1
    assert out == (f"$ {text}namespace/default\nnamespace/kube-system\n")
    assert err == (
        'Error from server (NotFound): namespaces "$ns" not found\n'
        'Error from server (NotFound): namespaces "$ns" not found\n'
    )


def test_operators_and_builtins(cluster: Cluster) -> None:
    text = (
        "echo '--- namespaces'\n"
        "kubectl get ns nope || echo fell back\n"
        "kubectl get ns default -o name && echo found; kubectl get ns kube-system -o name\n"
        "false && echo never\n"
    )
    code, out, err = run(cluster, text)
    assert code == 1  # the last line's chain ended with false
    assert out == ("--- namespaces\nfell back\nnamespace/default\nfound\nnamespace/kube-system\n")
    assert err == 'Error from server (NotFound): namespaces "nope" not found\n'
    assert run(cluster, "kubectl get ns nope || true\n")[0] == 0
    code, out, _ = run(cluster, "kubectl exec x -- sh -c 'a && b' || echo 'quoted && stays'\n")
    assert out == "quoted && stays\n"
