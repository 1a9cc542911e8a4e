"""The exercise panel in the app: tasks tick live after the user's action, hints, reset.

The app runs on the VirtualClock: the test acts through keys or the command bar, moves time
with ``cluster.settle()``, lets the bridge deliver the changes (``sync``) and reads the panel.
"""

from __future__ import annotations

import io

import pytest

from engine.clock import RealClock
from engine.exercises import build_cluster, load_exercise, manifests_dir
from engine.script import run_script
from tests.tui.conftest import Sync
from tui import exercise_app
from tui.exercise_app import ExerciseApp, ExerciseScreen, IntroScreen
from tui.widgets.exercise_panel import ExercisePanel
from tui.widgets.resource_table import ResourceTable

SIZE = (160, 45)


def make_app(name: str, *, show_intro: bool = False) -> ExerciseApp:
    exercise = load_exercise(name)
    cluster = build_cluster(exercise, manifests_dir=manifests_dir())
    return ExerciseApp(exercise, cluster, show_intro=show_intro)


def panel(app: ExerciseApp) -> ExercisePanel:
    return app.screen.query_one(ExercisePanel)


async def test_a_task_ticks_live_after_scaling_with_the_keys(
    sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    # only the store changes may tick it, not the slow timer
    monkeypatch.setattr(exercise_app, "EVALUATE_TICK", 3600.0)
    app = make_app("02-scaling")
    async with app.run_test(size=SIZE) as pilot:
        await sync(pilot)
        assert panel(app).task_lines == [
            "▶ 1. Scale up to five replicas",
            "· 2. Predict the first pod to go",
            "· 3. Scale down to three",
        ]
        assert panel(app).reason_lines == [
            "✗ statefulset web is set to 2 replicas, want 5",
            '✗ no event SuccessfulCreate "create Pod web-4 in StatefulSet web successful" '
            "on statefulset web",
        ]
        app.screen.query_one("#workloads-table", ResourceTable).focus()
        await pilot.press("plus", "plus", "plus")
        app.cluster.settle()
        await sync(pilot)
        assert panel(app).task_lines[:2] == [
            "✓ 1. Scale up to five replicas",
            "▶ 2. Predict the first pod to go",
        ]
        assert panel(app).border_subtitle.startswith("1/3 done")


async def test_a_file_written_from_the_command_bar_ticks_at_once(
    sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exercise_app, "EVALUATE_TICK", 3600.0)
    app = make_app("04-storage")
    async with app.run_test(size=SIZE) as pilot:
        await sync(pilot)
        await pilot.press("colon")
        command = "exec web-0 -- sh -c 'echo hello from web-0 > /usr/share/nginx/html/index.html'"
        app.focused.insert_text_at_cursor(command)  # type: ignore[union-attr]
        await pilot.press("enter")
        await pilot.pause()
        assert panel(app).task_lines[0] == "✓ 1. Write to web-0's volume"


async def test_hints_are_revealed_one_at_a_time(sync: Sync) -> None:
    app = make_app("02-scaling")
    async with app.run_test(size=SIZE) as pilot:
        await sync(pilot)
        assert panel(app).hint_lines == []
        await pilot.press("h")
        hint = app.exercise.tasks[0].hints[0]
        assert panel(app).hint_lines == [f"Hint 1: {hint}"]
        await pilot.press("h")  # task 1 has only one hint
        assert panel(app).hint_lines == [f"Hint 1: {hint}"]


async def test_reset_starts_over_on_a_fresh_cluster(sync: Sync) -> None:
    app = make_app("02-scaling")
    async with app.run_test(size=SIZE) as pilot:
        await sync(pilot)
        old = app.cluster
        await pilot.press("h")
        old.scale("StatefulSet", "default", "web", 5)
        old.settle()
        await sync(pilot)
        assert panel(app).task_lines[0].startswith("✓ 1.")
        await pilot.press("ctrl+r")
        await pilot.press("y")
        await sync(pilot)
        assert app.cluster is not old
        assert isinstance(app.screen, ExerciseScreen)
        assert app.screen.cluster is app.cluster
        assert panel(app).task_lines[0] == "▶ 1. Scale up to five replicas"
        assert len(panel(app).hint_lines) == 1  # revealed hints stay revealed
        web = app.cluster.store.must_get("StatefulSet", "default", "web")
        assert web["spec"]["replicas"] == 2
        workloads = app.screen.query_one("#workloads-table", ResourceTable)
        assert workloads.column_text("READY") == ["● 2/2"]


async def test_the_introduction_opens_first_and_the_summary_closes(sync: Sync) -> None:
    app = make_app("01-first-statefulset", show_intro=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IntroScreen)
        await pilot.press("escape")
        await sync(pilot)
        assert isinstance(app.screen, ExerciseScreen)
        summary = app.screen.query_one("#exercise-summary")
        assert not summary.display
        run_script(
            app.cluster,
            app.exercise.solution,
            echo=False,
            keep_going=False,
            out=io.StringIO(),
            err=io.StringIO(),
            source="solution",
        )
        await sync(pilot)
        assert all(line.startswith("✓") for line in panel(app).task_lines)
        assert summary.display
        assert panel(app).summary_text().startswith("Well done: all 3 tasks of")


async def test_reset_on_the_real_clock_restarts_the_engine() -> None:
    exercise = load_exercise("02-scaling")
    cluster = build_cluster(exercise, manifests_dir=manifests_dir(), speed=8.0)
    app = ExerciseApp(exercise, cluster, speed=8.0, show_intro=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        old = app.cluster
        await app.reset()
        await pilot.pause()
        assert app.cluster is not old
        assert type(app.cluster.clock) is RealClock
        assert app.cluster.clock.speed == 8.0
        engines = [w for w in app.workers if w.group == "engine" and not w.is_cancelled]
        assert len(engines) == 1
        assert engines[0].is_running
        assert isinstance(app.screen, ExerciseScreen)
