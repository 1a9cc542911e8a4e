"""The ``stsplay`` command line, run in-process as a user would run it."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from tui import cli

SEED = """\
# the seed: a headless Service over a 2-pod StatefulSet
kubectl get pods -o wide
nslookup web-0.nginx.default.svc.cluster.local
kubectl delete pod web-0
kubectl wait --for=condition=Ready pod/web-0 --timeout=60s
kubectl get pods -o wide
"""


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        args = cli.build_parser().parse_args(argv)
        code = cli.run_script_command(args, out, err)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def pod_ips(table: str) -> dict[str, str]:
    rows = [line.split() for line in table.splitlines() if line.startswith("web-")]
    return {row[0]: row[5] for row in rows}


def test_script_on_the_default_cluster_recreates_web_0_with_a_new_ip() -> None:
    code, out, err = run(["script", "--default-cluster", "--echo", "-"], SEED)
    assert code == 0, err
    tables = re.split(r"^\$ .*$", out, flags=re.M)
    before, after = pod_ips(tables[1]), pod_ips(tables[5])
    assert sorted(before) == sorted(after) == ["web-0", "web-1"]
    assert before["web-0"] != after["web-0"]
    assert before["web-1"] == after["web-1"]
    assert f"Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: {before['web-0']}\n" in out
    assert 'pod "web-0" deleted from default namespace\n' in out
    assert "pod/web-0 condition met\n" in out


def test_same_input_and_seed_give_identical_bytes() -> None:
    first = run(["script", "--default-cluster", "--seed", "7", "-"], SEED)
    second = run(["script", "--default-cluster", "--seed", "7", "-"], SEED)
    assert first == second


def test_script_starts_from_a_bare_cluster_without_options() -> None:
    code, out, err = run(["script", "-"], "kubectl get pods\nkubectl get svc -A\n")
    assert code == 0
    assert err == "No resources found in default namespace.\n"
    assert "kube-dns" in out
    assert "kubernetes" in out


def test_first_failing_command_stops_unless_keep_going() -> None:
    text = "kubectl get pod nosuch\nkubectl get nodes\n"
    code, out, err = run(["script", "-"], text)
    assert code == 1
    assert out == ""
    assert 'Error from server (NotFound): pods "nosuch" not found' in err
    code, out, _ = run(["script", "--keep-going", "-"], text)
    assert code == 1
    assert "worker-1" in out


def test_bad_manifest_is_reported_and_nothing_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec: 3\n")
    code, out, err = run(["script", "-f", str(bad), "-"], "kubectl get pods\n")
    assert code == 1
    assert out == ""
    assert "bad.yaml" in err
    assert "document 1" in err


def test_unreadable_script_file(tmp_path: Path) -> None:
    code, _, err = run(["script", str(tmp_path / "missing.txt")])
    assert code == 2
    assert "missing.txt" in err


def test_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for option in ("-f FILE_OR_DIR", "--seed", "--nodes", "--speed", "--namespace", "script"):
        assert option in text
