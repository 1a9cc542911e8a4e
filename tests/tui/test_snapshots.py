"""SVG snapshots of the screens (pytest-textual-snapshot; ``--snapshot-update`` regenerates).

The store-level world has a frozen VirtualClock, so ages and the status bar clock are the same
on every run. Snapshots that need the real engine skip until main has it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from engine.cluster import Cluster
from tests.tui.conftest import sync_view
from tests.tui.fixtures import HAS_ENGINE, HAS_KUBECTL, WEB_YAML, store_cluster
from tests.tui.test_nslookup import fake_nslookup
from tui.app import PlaygroundApp
from tui.widgets.nslookup import QueryInput

Snap = Callable[..., bool]
WIDE = (160, 45)


def world_app() -> PlaygroundApp:
    cluster = store_cluster(3)
    cluster.advance(75)
    return PlaygroundApp(cluster, dns_address="127.0.0.1:5353")


async def settled(pilot: Pilot[Any]) -> None:
    """Freeze the cursor blink, deliver store changes, move ages to the clock, drop toasts."""
    for box in pilot.app.query("Input"):
        box.cursor_blink = False  # type: ignore[attr-defined]
    await sync_view(pilot)
    pilot.app.screen_stack[1].tick_ages()  # what the 1 s age ticker does, deterministically
    pilot.app.clear_notifications()
    await pilot.pause()


def test_default_screen(snap_compare: Snap) -> None:
    assert snap_compare(world_app(), terminal_size=WIDE, run_before=settled)


def test_small_terminal_80x24(snap_compare: Snap) -> None:
    assert snap_compare(world_app(), terminal_size=(80, 24), run_before=settled)


def test_help_screen(snap_compare: Snap) -> None:
    app = world_app()
    assert snap_compare(app, terminal_size=WIDE, press=["question_mark"], run_before=settled)


def test_filter_and_pinned_query(snap_compare: Snap, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.dns import tools
    from tests.tui.fixtures import NS, set_endpoints

    monkeypatch.setattr(tools, "run_nslookup", fake_nslookup)
    app = world_app()
    cluster = app.cluster

    async def run_before(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        box = app.screen.query_one(QueryInput)
        box.focus()
        box.value = "nslookup nginx"
        await pilot.press("ctrl+p")
        pods = [cluster.store.must_get("Pod", NS, f"web-{i}") for i in range(3)]
        set_endpoints(cluster, pods[:2])
        await sync_view(pilot)
        app.screen.query_one("#pods-table").focus()
        await pilot.press("slash", *"web-1", "enter")
        await settled(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def engine_app() -> PlaygroundApp:
    """The app on the real engine: the seed's web.yaml applied and settled."""
    cluster = Cluster(seed=0)
    cluster.apply(WEB_YAML)
    cluster.settle()
    return PlaygroundApp(cluster)


@pytest.mark.skipif(not HAS_ENGINE, reason="needs the kubelet and manifests")
def test_mid_scale_up(snap_compare: Snap) -> None:
    app = engine_app()
    cluster = app.cluster

    async def run_before(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        app.screen.query_one("#workloads-table").focus()
        await pilot.press("plus")
        cluster.advance(2.5)  # web-2 is creating
        await settled(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


@pytest.mark.skipif(not (HAS_ENGINE and HAS_KUBECTL), reason="needs the engine and kubectl")
def test_describe_view(snap_compare: Snap) -> None:
    app = engine_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        app.screen.query_one("#workloads-table").focus()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
