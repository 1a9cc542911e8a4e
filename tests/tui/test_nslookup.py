"""The nslookup pane: prompt, history, completion, pinned queries and their highlights.

The DNS tools are engine code owned elsewhere; these tests stand in a small resolver that
answers from the store's EndpointSlices the way busybox nslookup prints (search list only for
names without a dot), so the pane's own behaviour is tested in isolation.
``test_scenarios.py`` runs the pane against the real tools.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from engine.cluster import Cluster
from engine.dns import tools
from engine.result import CommandResult
from tests.tui.conftest import Sync
from tests.tui.fixtures import NS, set_endpoints
from tui.app import PlaygroundApp
from tui.widgets.nslookup import NslookupPane, QueryInput
from tui.widgets.pinned_query import PinnedQuery

HEADER = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"


def fake_nslookup(cluster: Cluster, argv: list[str], namespace: str = "default") -> CommandResult:
    """busybox-like answers for headless Services and pod hostnames, from EndpointSlices."""
    name = argv[-1]
    candidates = [name] if "." in name else [f"{name}.{namespace}.svc.cluster.local"]
    result = CommandResult().out(HEADER)
    for fqdn in candidates:
        addresses = _addresses(cluster, fqdn)
        if not addresses:
            result.out(f"** server can't find {fqdn}: NXDOMAIN\n\n")
            result.code = 1
        for ip in addresses:
            result.out(f"Name:\t{fqdn}\nAddress: {ip}\n")
    return result.out("\n")


def _addresses(cluster: Cluster, fqdn: str) -> list[str]:
    parts = fqdn.split(".")
    if len(parts) < 5 or parts[-2:] != ["cluster", "local"]:
        return []
    host = parts[0] if len(parts) == 6 else None
    svc, ns = parts[-5], parts[-4]
    ips = []
    for sl in cluster.store.list("EndpointSlice", ns):
        if sl["metadata"]["labels"].get("kubernetes.io/service-name") != svc:
            continue
        for ep in sl["endpoints"]:
            if ep["conditions"]["ready"] and host in (None, ep.get("hostname")):
                ips.extend(ep["addresses"])
    return ips


@pytest.fixture(autouse=True)
def _fake_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "run_nslookup", fake_nslookup)


async def type_line(pilot: Pilot[None], line: str) -> None:
    """Type ``line`` into the focused input (as one paste: pressing each key is slow)."""
    await pilot.pause()
    box = pilot.app.focused
    assert isinstance(box, Input)
    box.insert_text_at_cursor(line)
    await pilot.pause()


def pane(app: PlaygroundApp) -> NslookupPane:
    return app.screen.query_one(NslookupPane)


def transcript(app: PlaygroundApp) -> str:
    log = app.screen.query_one("#transcript")
    return "\n".join(strip.text for strip in log.lines)  # type: ignore[attr-defined]


async def test_prompt_runs_queries_and_keeps_history(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        app.screen.query_one(QueryInput).focus()
        await type_line(pilot, "nslookup nginx")
        await pilot.press("enter")
        await type_line(pilot, "web-0.nginx")
        await pilot.press("enter")
        await pilot.pause()
        text = transcript(app)
        assert "/ # nslookup nginx" in text
        assert "Address: 10.244.1.10" in text
        assert "Address: 10.244.3.12" in text
        assert "** server can't find web-0.nginx: NXDOMAIN" in text
        words = " ".join(text.split())  # the transcript wraps long lines
        assert (
            "hint: busybox nslookup does not search dotted names — try "
            "web-0.nginx.default.svc.cluster.local"
        ) in words
        box = app.screen.query_one(QueryInput)
        await pilot.press("up")
        assert box.value == "web-0.nginx"
        await pilot.press("up")
        assert box.value == "nslookup nginx"
        await pilot.press("down", "down")
        assert box.value == ""


async def test_tab_completes_names_from_the_dns_table(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        box = app.screen.query_one(QueryInput)
        box.focus()
        await type_line(pilot, "nslookup web-1.ng")
        await pilot.press("tab")
        assert box.value == "nslookup web-1.nginx"
        await type_line(pilot, ".d")
        await pilot.press("tab")
        assert box.value == "nslookup web-1.nginx.default"
        await type_line(pilot, ".")
        await pilot.press("tab")
        assert box.value == "nslookup web-1.nginx.default.svc.cluster.local "
        box.value = "nslookup web-"
        await pilot.press("tab")  # ambiguous: candidates listed, focus stays
        await pilot.pause()
        assert app.focused is box
        assert "web-0.nginx  web-1.nginx  web-2.nginx" in transcript(app)


async def test_pinned_query_highlights_lost_and_regained_addresses(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    pods = [world.store.must_get("Pod", NS, f"web-{i}") for i in range(3)]
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        app.screen.query_one(QueryInput).focus()
        await type_line(pilot, "nslookup nginx")
        await pilot.press("ctrl+p")
        await pilot.pause()
        (pinned,) = pane(app).query(PinnedQuery)
        assert sorted(a for a in pinned.answers or [] if a.startswith("Address")) == [
            "Address: 10.244.1.10",
            "Address: 10.244.2.11",
            "Address: 10.244.3.12",
        ]
        set_endpoints(world, pods[:2])  # web-2 leaves the answer
        await sync(pilot)
        assert pinned.last_diff.removed == [
            "Name:\tnginx.default.svc.cluster.local",
            "Address: 10.244.3.12",
        ]
        rendered = pinned.render_answer().plain
        assert "- Address: 10.244.3.12" in rendered
        set_endpoints(world, pods)  # and comes back
        await sync(pilot)
        assert pinned.last_diff.added == [
            "Name:\tnginx.default.svc.cluster.local",
            "Address: 10.244.3.12",
        ]
        assert "+ Address: 10.244.3.12" in pinned.render_answer().plain
        world.store.delete("EndpointSlice", NS, "nginx-abcde")
        await sync(pilot)
        assert "✖ ** server can't find nginx.default.svc.cluster.local: NXDOMAIN" in (
            pinned.render_answer().plain
        )


async def test_pin_unpin_and_namespace(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        app.screen.query_one(QueryInput).focus()
        for line in ("pin nginx", "pin web-0.nginx.default.svc.cluster.local"):
            await type_line(pilot, line)
            await pilot.press("enter")
        await pilot.pause()
        assert [p.line for p in pane(app).pinned] == [
            "nginx",
            "web-0.nginx.default.svc.cluster.local",
        ]
        assert pane(app).border_subtitle == "2 pinned"
        await type_line(pilot, "ns kube-system")
        await pilot.press("enter")
        await pilot.pause()
        assert pane(app).border_title == "nslookup · pod in kube-system"
        first = pane(app).pinned[0]
        missing = "nginx.kube-system.svc.cluster.local: NXDOMAIN"
        assert any(missing in a for a in first.answers or [])
        await type_line(pilot, "ns nowhere")
        await pilot.press("enter")
        await pilot.pause()
        assert 'ns: namespace "nowhere" not found' in transcript(app)
        await type_line(pilot, "unpin 1")
        await pilot.press("enter")
        await pilot.pause()
        assert [p.number for p in pane(app).pinned] == [2]
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert pane(app).pinned == []
        await type_line(pilot, "curl nginx")
        await pilot.press("enter")
        await pilot.pause()
        assert "sh: curl: not found" in transcript(app)
