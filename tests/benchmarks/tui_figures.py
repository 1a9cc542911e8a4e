"""App measurements (headless Textual, Pilot), each run in a fresh worker process.

* **first frame** — from just before ``tui.app`` is imported (Textual's import is part of
  the start) until the main screen has mounted and the pods panel shows every pod, measured
  in wall seconds (and CPU seconds beside it). The cluster is built before the clock
  starts: it is the engine's cost.
* **key latency** — CPU seconds of the app's process (``time.process_time``) from pressing
  ``j`` (cursor down) in the pods panel until the app is idle again with the moved cursor
  rendered (``pilot.press`` then ``pilot.pause``). A trivial 100-row DataTable app is
  measured the same way in the same run as a reference, so the figure can be read as a
  ratio on a loaded machine.
* **demo recording** — wall and CPU seconds from importing the recorder (Textual's import is
  part of it) until ``tests/benchmarks/demo-60s.yaml``, a scenario whose asciicast lasts
  60 seconds, has been recorded by the real recorder (:func:`tui.demo.recorder.record`: the
  app headless at the default 140x46, on the virtual clock, every frame a full render) and
  written to a ``.cast`` file. The cast's own length is measured too, so the real-time ratio
  is the cast's seconds over the recording's wall seconds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.cluster import Cluster
from tests.benchmarks.world import ROOT, WEB_YAML, store_world

SIZE = (160, 45)
#: the recording benchmark's scenario (its cast lasts 60 s)
DEMO = ROOT / "tests" / "benchmarks" / "demo-60s.yaml"


def default_cluster() -> Cluster:
    """The default cluster ``stsplay`` opens (web.yaml applied and settled)."""
    cluster = Cluster(seed=0)
    cluster.apply(str(WEB_YAML))
    cluster.settle()
    return cluster


def first_frame(pods: int) -> dict[str, Any]:
    """Wall seconds from importing the app to the first frame showing all ``pods`` pods
    (``pods`` 0: the default cluster)."""
    cluster = default_cluster() if pods == 0 else store_world(pods)
    expected = len(cluster.store.list("Pod", "default"))
    start, cpu = time.perf_counter(), time.process_time()
    from tui.app import PlaygroundApp

    async def run() -> tuple[float, float]:
        app = PlaygroundApp(cluster)
        async with app.run_test(size=SIZE) as pilot:
            table = await _pods_table(app, pilot, expected)
            elapsed = time.perf_counter() - start, time.process_time() - cpu
            if table.row_count != expected:
                raise RuntimeError(f"pods panel shows {table.row_count} of {expected} pods")
        return elapsed

    wall, cpu = asyncio.run(run())
    return {"wall": wall, "cpu": cpu, "pods": expected}


async def _pods_table(app: Any, pilot: Any, expected: int) -> Any:
    from tui.widgets.resource_table import ResourceTable

    for _ in range(1000):
        await pilot.pause()
        try:
            table = app.screen.query_one("#pods-table", ResourceTable)
        except Exception:
            continue
        if table.row_count == expected and app.screen.bridge.idle:
            await pilot.pause()
            return table
    raise RuntimeError("the pods panel never showed every pod")


def key_latency(pods: int, presses: int = 30) -> dict[str, Any]:
    """Median CPU seconds per ``j`` press in the pods panel with ``pods`` pods, and the same
    for a trivial 100-row DataTable app."""
    cluster = store_world(pods)
    from tui.app import PlaygroundApp

    async def run() -> list[float]:
        app = PlaygroundApp(cluster)
        async with app.run_test(size=SIZE) as pilot:
            table = await _pods_table(app, pilot, pods)
            table.focus()
            await pilot.pause()
            samples = await _presses(pilot, presses)
            if table.selected_key is None or not table.selected_key.endswith("web-" + str(presses)):
                raise RuntimeError(f"cursor did not follow the key: {table.selected_key}")
        return samples

    samples = asyncio.run(run())
    reference = asyncio.run(_trivial_app(presses))
    return {"median": statistics.median(samples), "reference": statistics.median(reference)}


async def _presses(pilot: Any, presses: int) -> list[float]:
    samples = []
    for _ in range(presses):
        start = time.process_time()
        await pilot.press("j")
        await pilot.pause()
        samples.append(time.process_time() - start)
    return samples


async def _trivial_app(presses: int) -> list[float]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Trivial(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("NAME", "READY", "STATUS")
            table.add_rows([(f"web-{i}", "1/1", "Running") for i in range(100)])
            table.focus()

    app = Trivial()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return await _presses(pilot, presses)


def record_demo() -> dict[str, Any]:
    """Seconds (wall and CPU) to record :data:`DEMO` to an asciicast file, and the cast's
    length, frames and events."""
    start, cpu = time.perf_counter(), time.process_time()
    from engine.scenarios import load_scenario
    from tui.demo.recorder import record

    recording = asyncio.run(record(load_scenario(DEMO)))
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "demo.cast").write_text(recording.cast, encoding="utf-8")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    lines = recording.cast.splitlines()
    return {
        "wall": wall,
        "cpu": cpu,
        "cast_seconds": json.loads(lines[-1])[0],
        "frames": recording.frames,
        "events": len(lines) - 1,
    }
