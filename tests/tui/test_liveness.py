"""Liveness by construction, with 1,000 pods: work is proportional to what changed.

Timings depend on the machine (``bench_keys.py`` prints them); these tests pin the design
that keeps a keypress cheap instead: one changed pod rebuilds one row, and a cursor move
renders only the rows whose look changed.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.objects import copy_obj
from tests.tui.conftest import Sync
from tests.tui.fixtures import NS, crowded_cluster
from tui import rows
from tui.app import PlaygroundApp
from tui.widgets import resource_table
from tui.widgets.resource_table import ResourceTable

PODS = 1000


@pytest.fixture
def big() -> Cluster:
    return crowded_cluster(PODS)


async def test_one_pod_change_rebuilds_one_row(
    big: Cluster, sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = rows.pod_line

    def counting(pod: Any, *args: Any) -> Any:
        built.append(pod["metadata"]["name"])
        return real(pod, *args)

    monkeypatch.setattr(rows, "pod_line", counting)
    app = PlaygroundApp(big)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pods = app.screen.query_one("#pods-table", ResourceTable)
        assert pods.row_count == PODS
        built.clear()
        pod = copy_obj(big.store.must_get("Pod", NS, "web-500"))
        pod["status"]["phase"] = "Pending"
        big.store.update(pod)
        await sync(pilot)
        assert built == ["web-500"]
        assert pods.cells_of("Pod/default/web-500")[2] == "○ Pending"


async def test_cursor_move_renders_only_the_rows_it_touches(
    big: Cluster, sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    real_strip = resource_table.Strip

    class CountingStrip(real_strip):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    app = PlaygroundApp(big)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.pause()
        monkeypatch.setattr(resource_table, "Strip", CountingStrip)
        await pilot.press("j")
        await pilot.pause()
        assert app.screen.query_one("#pods-table", ResourceTable).cursor_row == 1
        assert 1 <= len(made) <= 2  # the row the cursor left and the row it reached
