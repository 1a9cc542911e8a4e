"""``stsplay exercise`` as the CLI will call it (argument parsing and dispatch)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

from tui.exercise_cli import add_exercise_command, run_exercise_command


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="stsplay")
    add_exercise_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["exercise", *argv])
    out, err = io.StringIO(), io.StringIO()
    return run_exercise_command(args, out, err), out.getvalue(), err.getvalue()


def test_list() -> None:
    status, out, _ = run("--list")
    assert status == 0
    assert out.splitlines()[0].startswith("01-first-statefulset")


def test_check_a_script_file_as_json(tmp_path: Path) -> None:
    script = tmp_path / "answer.sh"
    script.write_text("kubectl scale statefulset web --replicas=5\nsleep 1m\n", encoding="utf-8")
    status, out, err = run("scaling", "--check", str(script), "--json")
    report = json.loads(out)
    assert status == 1
    assert err == ""
    assert [t["passed"] for t in report["tasks"]] == [True, False, False]


def test_usage_errors() -> None:
    assert run()[0] == 2
    status, _, err = run("02", "--json")
    assert (status, err) == (2, "stsplay exercise: --json needs --check SCRIPT\n")
    status, _, err = run("02", "--check", "/nonexistent/answer.sh")
    assert status == 2
    assert err.startswith("stsplay: cannot read /nonexistent/answer.sh: ")
