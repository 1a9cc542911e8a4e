"""``stsplay demo`` functions (the lead wires them into tui/cli.py): list, transcript, errors."""

from __future__ import annotations

import argparse
import io

import pytest

from engine.scenarios import load_scenario, scenario_names
from tui.demo.cli import add_demo_parser, parse_size, run_demo_command


def _run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="stsplay")
    add_demo_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    code = run_demo_command(parser.parse_args(["demo", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_list_shows_every_demo_with_its_description() -> None:
    code, out, _ = _run("--list")
    assert code == 0
    for name in scenario_names():
        scenario = load_scenario(name)
        assert f"{name}  " in out
        assert scenario.description in out


def test_transcript_plays_headlessly() -> None:
    code, out, err = _run("storage", "--transcript")
    assert (code, err) == (0, "")
    assert out.count("hello\n") == 2
    assert "$ kubectl exec web-0 -- cat /usr/share/nginx/html/index.html\n" in out


def test_unknown_demo_is_a_clear_error() -> None:
    code, out, err = _run("no-such-demo")
    assert code == 2
    assert out == ""
    assert err.startswith("stsplay demo: no-such-demo: no such scenario (known: ")


def test_no_name_asks_for_one() -> None:
    code, _, err = _run()
    assert code == 2
    assert "--list" in err


@pytest.mark.parametrize("text", ["140", "x46", "10x10", "wide"])
def test_bad_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--size must be COLSxROWS"):
        parse_size(text)
    code, _, err = _run("storage", "--cast", "/dev/null", "--size", text)
    assert code == 2
    assert "--size must be COLSxROWS" in err


def test_a_good_size() -> None:
    assert parse_size("140x46") == (140, 46)
