"""Robustness: mangled manifests give a ManifestError (or apply), never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.manifests import ManifestError, apply

WEB_LINES = Path("demos/manifests/web.yaml").read_text().splitlines()
SCALARS = ["", "0", "-1", "x", "true", "null", "[]", "{}", "[1, 2]", "{a: b}", '"80"', "1.5",
           "Web_1", "- item", "&a x", "*a", "!!binary aGk=", "~", "2026-01-01"]  # fmt: skip


@st.composite
def mangled(draw: st.DrawFn) -> str:
    lines = list(WEB_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "indent", "dedent", "value", "key"]))
        line = lines[i]
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, line)
        elif action == "indent":
            lines[i] = "  " + line
        elif action == "dedent":
            lines[i] = line[2:] if line.startswith("  ") else line
        elif action == "value" and ":" in line:
            lines[i] = line.split(":", 1)[0] + ": " + draw(st.sampled_from(SCALARS))
        elif action == "key" and ":" in line:
            lines[i] = line.replace(":", "x:", 1)
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None, derandomize=True)
@given(mangled())
def test_mangled_manifests_never_crash(text: str) -> None:
    cluster = Cluster(seed=1, strict=True)
    before = cluster.store.resource_version
    try:
        lines = apply(cluster, "web.yaml", text)
    except ManifestError as err:
        message = str(err)
    else:
        assert all(line.endswith((" created", " configured", " unchanged")) for line in lines)
        cluster.drain()
        return
    assert message.startswith("web.yaml: ")
    assert cluster.store.resource_version == before
