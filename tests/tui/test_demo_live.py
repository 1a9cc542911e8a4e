"""The demo in the app: captions, scripted keys, and the viewer's pause, step and take-over.

The live player waits on the cluster's clock. These tests run it on a VirtualClock that only
moves when the test moves it, so a ``pause`` step holds the script exactly until the viewer
presses → (or the test advances the clock): no sleeps, no real time in the assertions.
"""

from __future__ import annotations

from textual.pilot import Pilot

from engine.clock import VirtualClock
from engine.scenarios import Scenario, build_cluster, parse_scenario
from tui.demo.app import DemoApp
from tui.demo.caption import CaptionBar
from tui.widgets.command_bar import CommandOutput

SIZE = (80, 30)

SCRIPT = """\
title: Live
description: The live player under test.
manifests: [web.yaml]
beat: 0s
steps:
  - caption: First caption.
  - keys: [plus]
    focus: workloads
    select: statefulset/web
    equivalent: kubectl scale statefulset web --replicas=3
  - pause: 30s
  - caption: Second caption.
  - command: kubectl get statefulset web
  - pause: 30s
  - caption: Third caption.
"""


def _scenario() -> Scenario:
    return parse_scenario(SCRIPT, "live.yaml", name="live")


def _app() -> DemoApp:
    scenario = _scenario()
    return DemoApp(build_cluster(scenario, VirtualClock()), scenario)


async def _until(pilot: Pilot[None], check: object, tries: int = 200) -> None:
    for _ in range(tries):
        if callable(check) and check():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


def _caption(app: DemoApp) -> str:
    return app.screen.query_one(CaptionBar).caption


def _replicas(app: DemoApp) -> int:
    sts = app.cluster.store.must_get("StatefulSet", "default", "web")
    return int(sts["spec"]["replicas"])


async def test_scripted_keys_act_and_the_script_waits_at_a_pause() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.player is not None and app.player.index == 3)
        assert _caption(app) == "First caption."
        assert _replicas(app) == 3  # the scripted + scaled the set, and did not take over
        assert app.player is not None
        assert app.player.state == "playing"
        for _ in range(5):
            await pilot.pause()
        assert app.player.index == 3  # the virtual clock has not moved: still pausing


async def test_right_arrow_steps_past_a_pause_then_the_script_continues() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.player is not None and app.player.index == 3)
        await pilot.press("right")
        await _until(pilot, lambda: _caption(app) == "Second caption.")
        await _until(pilot, lambda: app.player is not None and app.player.index == 6)
        output = app.screen.query_one(CommandOutput)
        assert output.has_class("-visible")
        assert output.text.startswith("$ kubectl get statefulset web\nNAME   READY")


async def test_space_pauses_and_right_runs_one_step_at_a_time() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.player is not None and app.player.index == 3)
        player = app.player
        assert player is not None
        await pilot.press("space")
        assert player.state == "paused"
        await pilot.press("right")  # ends the pause step; the script stops at the next gate
        await _until(pilot, lambda: player._at_gate)
        assert player.index == 3
        await pilot.press("right")  # one step: the second caption
        await _until(pilot, lambda: _caption(app) == "Second caption.")
        await _until(pilot, lambda: player._at_gate)
        assert player.index == 4
        assert player.state == "paused"
        await pilot.press("space")
        await _until(pilot, lambda: player.index == 6)
        assert player.state == "playing"


async def test_any_other_key_takes_over_and_is_handled() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.player is not None and app.player.index == 3)
        player = app.player
        assert player is not None
        await pilot.press("question_mark")  # the viewer asks for help: the demo hands over
        assert player.state == "taken"
        await _until(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen")
        app.cluster.advance(60)
        for _ in range(10):
            await pilot.pause()
        assert player.index == 3  # the script did not go on
        assert app.screen_stack[1].query_one(CaptionBar).caption == "First caption."
        assert "you have the keyboard" in app.screen_stack[1].query_one(CaptionBar).state


async def test_the_demo_ends_handing_over() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.player is not None and app.player.index == 3)
        app.cluster.advance(30)
        await _until(pilot, lambda: app.player is not None and app.player.index == 6)
        app.cluster.advance(30)
        await _until(pilot, lambda: app.player is not None and app.player.state == "done")
        assert _caption(app) == "Third caption."
        await pilot.press("plus")  # keys after the end are the app's, nothing to take over
        assert app.player is not None
        assert app.player.state == "done"
