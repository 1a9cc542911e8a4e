"""Byte-exact transcripts of scripts in ``tests/engine/golden/`` (stdout and stderr as a
terminal shows them, with ``--echo``).

A golden transcript records what the whole engine prints for a scenario, so a change anywhere
(formatting, timing, events) shows up here. After an intended change, regenerate with
``STSPLAY_UPDATE_GOLDEN=1 pytest tests/engine/test_kubectl_golden.py`` and review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from engine.cluster import Cluster
from engine.script import run_script

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]


class _Terminal(io.StringIO):
    """One buffer for both streams, as a terminal interleaves them."""


@pytest.mark.parametrize("script", sorted(GOLDEN.glob("*.script")), ids=lambda p: p.stem)
def test_transcript(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    terminal = _Terminal()
    code = run_script(
        Cluster(seed=0),
        script.read_text(),
        echo=True,
        keep_going=True,
        out=terminal,
        err=terminal,
        source=script.name,
    )
    transcript = terminal.getvalue() + f"[exit {code}]\n"
    expected = script.with_suffix(".txt")
    if os.environ.get("STSPLAY_UPDATE_GOLDEN"):
        expected.write_text(transcript)
    assert transcript == expected.read_text()
