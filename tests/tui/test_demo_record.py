"""Recording a demo through the real app: an asciicast that parses, the same bytes twice."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.scenarios import Scenario, parse_scenario
from tui.demo.cast import TIMESTAMP
from tui.demo.player import CAPTION_HOLD, TYPED_HOLD
from tui.demo.recorder import record

SIZE = (100, 32)

#: every kind of step, through the app's widgets, in a few simulated seconds
SHORT = """\
title: Short
description: A short slice for the tests.
manifests: [web.yaml]
beat: 1s
steps:
  - caption: Scale up with the + key.
  - keys: [plus]
    focus: workloads
    select: statefulset/web
    equivalent: kubectl scale statefulset web --replicas=3
  - wait: {for: condition=Ready, object: pod/web-2, timeout: 60s}
  - pin: nslookup nginx
  - command: kubectl get pods
    expect: web-2
  - pause: 2s
"""


@pytest.fixture(scope="module")
def short() -> Scenario:
    return parse_scenario(SHORT, "short.yaml", name="short")


@pytest.fixture(scope="module")
def casts(short: Scenario) -> tuple[str, str, dict[str, str]]:
    """Two recordings of the short scenario (the first with SVGs), made once per module."""
    first = asyncio.run(record(short, size=SIZE, svg=True))
    second = asyncio.run(record(short, size=SIZE))
    return first.cast, second.cast, first.svgs


def _parse(cast: str) -> tuple[dict[str, Any], list[list[Any]]]:
    lines = cast.splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def test_the_cast_is_asciicast_v2(casts: tuple[str, str, dict[str, str]]) -> None:
    header, events = _parse(casts[0])
    assert header["version"] == 2
    assert (header["width"], header["height"]) == SIZE
    assert header["timestamp"] == TIMESTAMP
    assert len(events) > 5
    times = [e[0] for e in events]
    assert times == sorted(set(times))  # strictly increasing
    assert times[0] == 0
    assert all(e[1] == "o" and isinstance(e[2], str) for e in events)
    assert all(e[2].startswith("\x1b[1;1H") for e in events[1:-1])  # full redraws


def test_the_frames_show_what_the_demo_did(casts: tuple[str, str, dict[str, str]]) -> None:
    _, events = _parse(casts[0])
    screens = [e[2] for e in events]
    assert any("Scale up with the + key." in s for s in screens)
    last = screens[-2]
    assert "web-2" in last
    assert "demo step 6/6" in last
    assert "the demo is over" in last


def test_captions_and_typed_commands_are_held_for_reading(
    casts: tuple[str, str, dict[str, str]],
) -> None:
    _, events = _parse(casts[0])
    caption = next(i for i, e in enumerate(events) if "Scale up with the + key." in e[2])
    assert events[caption + 1][0] - events[caption][0] >= CAPTION_HOLD - 1e-6
    typed = next(
        i
        for i, e in enumerate(events)
        if "kubectl get pods" in e[2] and "$ kubectl get pods" not in e[2]
    )
    assert events[typed + 1][0] - events[typed][0] >= TYPED_HOLD - 1e-6
    assert "$ kubectl get pods" in events[typed + 1][2]


def test_two_recordings_are_byte_identical(casts: tuple[str, str, dict[str, str]]) -> None:
    assert casts[0] == casts[1]


def test_an_svg_per_step(casts: tuple[str, str, dict[str, str]]) -> None:
    svgs = casts[2]
    assert sorted(svgs) == [
        "01-caption.svg",
        "02-keys.svg",
        "03-wait.svg",
        "04-pin.svg",
        "05-command.svg",
        "06-pause.svg",
    ]
    assert all(text.startswith("<svg") for text in svgs.values())
    assert "web-2" in svgs["05-command.svg"]


@pytest.mark.skipif(
    shutil.which("asciinema") is None or shutil.which("script") is None,
    reason="needs asciinema and script (util-linux)",
)
def test_asciinema_plays_the_cast(casts: tuple[str, str, dict[str, str]], tmp_path: Path) -> None:
    cast = tmp_path / "short.cast"
    cast.write_text(casts[0], encoding="utf-8")
    # asciinema wants a terminal: script(1) gives it one
    done = subprocess.run(
        ["script", "-qec", f"asciinema play -s 100 {cast}", "/dev/null"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Scale up with the + key." in done.stdout
