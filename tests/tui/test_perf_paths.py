"""The paths the performance work (issue 9) depends on, pinned by behaviour.

* the collector pause around bulk rebuilds restores whatever state it found;
* a table whose height comes from the CSS takes new rows without laying the screen out, and
  still scrolls to its last row;
* a widening AGE column keeps the columns after it aligned on every row;
* :func:`tui.demo.settle.settle` brings the screen up to date with the store without any
  sleep, and gives up on an app that never stops working;
* the recording benchmark's scenario is a valid scenario.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from engine.cluster import Cluster
from engine.scenarios import load_scenario
from tests.benchmarks.tui_figures import DEMO
from tests.tui.conftest import Sync
from tests.tui.fixtures import NS, add_pod, crowded_cluster
from tui import gc_pause
from tui.app import PlaygroundApp
from tui.demo import settle as settle_module
from tui.demo.settle import NeverSettled, settle
from tui.format import symbolled, text_width
from tui.rows import Line, Ref
from tui.widgets.resource_table import ResourceTable

SIZE = (160, 45)


@pytest.fixture
def gc_state() -> Iterator[None]:
    """Whatever a test does to the collector, it is enabled again afterwards."""
    yield
    gc.enable()


def test_gc_paused_restores_what_it_found(gc_state: None) -> None:
    gc.enable()
    with gc_pause.gc_paused():
        assert not gc.isenabled()
        with gc_pause.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not resume early
    assert gc.isenabled()
    gc.disable()
    with gc_pause.gc_paused():
        pass
    assert not gc.isenabled()  # paused by someone else: stays paused


def test_collect_young_only_while_paused(gc_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_pause, "YOUNG_LIMIT", 10)
    with gc_pause.gc_paused():
        junk = [[] for _ in range(100)]
        assert gc.get_count()[0] > 10
        gc_pause.collect_young()
        assert gc.get_count()[0] < 10
        del junk


@pytest.mark.parametrize(
    "text", ["web-0", "", "● Running", "  ├ web-12", "pv/pvc-3f6c1a2e…", "日本語 pod", "node-1 ✖"]
)
def test_text_width_is_the_terminal_width(text: str) -> None:
    assert text_width(text) == cell_len(text)


def test_status_cells_are_shared() -> None:
    assert symbolled("ok", "Running") is symbolled("ok", "Running")


@pytest.fixture
def crowded() -> Cluster:
    """60 pods: more than the pods panel shows at 160x45."""
    return crowded_cluster(60)


async def test_new_rows_in_a_full_table_need_no_layout(
    crowded: Cluster, sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[int] = []
    real = Screen._refresh_layout

    def counting(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(1)
        real(self, *args, **kwargs)

    app = PlaygroundApp(crowded)
    async with app.run_test(size=SIZE) as pilot:
        await sync(pilot)
        table = app.screen.query_one("#pods-table", ResourceTable)
        assert table.show_vertical_scrollbar
        before = table.max_scroll_y
        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        sts = crowded.store.must_get("StatefulSet", NS, "web")
        for ordinal in range(60, 65):
            add_pod(crowded, sts, ordinal)
        await sync(pilot)
        assert layouts == []
        assert table.row_count == 65
        assert table.max_scroll_y == before + 5
        await pilot.press("end")
        await pilot.pause()
        assert table.selected_key == "Pod/default/web-64"
        assert table.scroll_offset.y == table.max_scroll_y


async def test_a_table_that_starts_scrolling_gets_its_scrollbar(crowded: Cluster) -> None:
    class Tables(App[None]):
        CSS = "ResourceTable { height: 6; }"

        def compose(self) -> ComposeResult:
            yield ResourceTable(("NAME",))

    app = Tables()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(ResourceTable)
        now = crowded.clock.wall()
        rows = [Line(f"k{i}", Ref("Pod", NS, f"p{i}"), (f"p{i}",)) for i in range(3)]
        table.show_lines(rows, now)
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        rows += [Line(f"k{i}", Ref("Pod", NS, f"p{i}"), (f"p{i}",)) for i in range(3, 20)]
        table.show_lines(rows, now)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert table.max_scroll_y > 0


async def test_a_wider_age_column_keeps_the_columns_aligned(world: Cluster) -> None:
    class Ages(App[None]):
        CSS = "ResourceTable { height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield ResourceTable(("NAME", "AGE", "OWNER"))

    app = Ages()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        now = world.clock.wall()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        old = "2000-01-01T00:00:00Z"
        rows = [
            Line("a", Ref("Pod", NS, "a"), ("a", "", "sts/web"), stamp),  # 0s, then 9s
            Line("b", Ref("Pod", NS, "b"), ("b", "", "sts/web"), old),  # years: unchanged
        ]
        table.show_lines(rows, now)
        await pilot.pause()
        world.advance(9)  # "0s" -> "9s": same width
        table.tick(world.clock.wall())
        world.advance(1)  # "9s" -> "10s": the column widens by one
        table.tick(world.clock.wall())
        await pilot.pause()
        texts = [table.render_line(y).text for y in (1, 2)]
        assert "10s" in texts[0]
        assert texts[0].index("sts/web") == texts[1].index("sts/web")


async def test_the_collector_runs_again_once_the_screen_is_filled(
    crowded: Cluster, gc_state: None
) -> None:
    gc.enable()
    app = PlaygroundApp(crowded)
    async with app.run_test(size=SIZE):
        await settle(app)
        assert app.screen.query_one("#pods-table", ResourceTable).row_count == 60
        assert gc.isenabled()
    assert gc.isenabled()


async def test_settle_shows_store_changes_without_sleeping(crowded: Cluster) -> None:
    app = PlaygroundApp(crowded)
    async with app.run_test(size=SIZE):
        await settle(app)
        table = app.screen.query_one("#pods-table", ResourceTable)
        assert table.row_count == 60
        sts = crowded.store.must_get("StatefulSet", NS, "web")
        add_pod(crowded, sts, 60)
        await settle(app)
        assert table.row_count == 61
        assert "web-60" in table.column_text("NAME")


class Restless(Static):
    """Two of these play ping-pong, 200 messages: more rounds of work than settle allows
    (and a bounded number, so the app can still close)."""

    class Ball(Message):
        """Your turn."""

    def __init__(self, name: str) -> None:
        super().__init__(name, id=name)
        self.other: Restless | None = None
        self.hits = 0

    def on_restless_ball(self, message: Ball) -> None:
        self.hits += 1
        if self.other is not None and self.hits < 100:
            self.other.post_message(self.Ball())


async def test_settle_gives_up_on_an_app_that_never_rests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Busy(App[None]):
        def compose(self) -> ComposeResult:
            yield Restless("ping")
            yield Restless("pong")

    monkeypatch.setattr(settle_module, "MAX_ROUNDS", 5)
    app = Busy()
    async with app.run_test(size=(40, 10)):
        ping, pong = app.query_one("#ping", Restless), app.query_one("#pong", Restless)
        ping.other, pong.other = pong, ping
        ping.post_message(Restless.Ball())
        with pytest.raises(NeverSettled, match="after 5 rounds"):
            await settle(app)


def test_the_benchmark_demo_is_a_valid_scenario() -> None:
    scenario = load_scenario(DEMO)
    assert scenario.steps
    assert scenario.speed == 1
