"""Recording a demo: the real app, headless, on the virtual clock.

:func:`record` runs :class:`~tui.demo.app.DemoApp` with ``run_test(headless=True, size=…)``
on a cluster with a :class:`~engine.clock.VirtualClock`, plays the scenario with a
:class:`~tui.demo.pacing.RecordPacer`, and after every timer and every step lets the screen
catch up with the store and captures it (:func:`~tui.demo.cast.screen_ansi`) into an
asciicast; optionally an SVG per step (``App.export_screenshot``). Because every time shown
comes from the virtual clock and every id from the seeded cluster, two recordings of the same
scenario are the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.clock import VirtualClock
from engine.scenarios import Scenario, Step, build_cluster
from tui.demo.app import DemoApp
from tui.demo.cast import CastWriter, screen_ansi
from tui.demo.pacing import RecordPacer
from tui.demo.player import AppPlayer
from tui.demo.settle import NeverSettled, settle
from tui.gc_pause import collect_young, gc_paused
from tui.screens.main import MainScreen

DEFAULT_SIZE = (140, 46)


class RecordingFailed(RuntimeError):
    """The scenario did not play to the end in the app."""


@dataclass
class Recording:
    """What :func:`record` produced."""

    cast: str
    svgs: dict[str, str] = field(default_factory=dict)
    """file name → SVG text, one per step (``03-command.svg``)"""
    frames: int = 0


async def record(
    scenario: Scenario,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    speed: float | None = None,
    svg: bool = False,
    steps: int | None = None,
) -> Recording:
    """Play ``scenario`` in the headless app and return the cast (and SVGs).

    Args:
        scenario: the validated scenario.
        size: terminal columns and rows.
        speed: simulated seconds per cast second (default: the scenario's ``speed``).
        svg: also export an SVG screenshot after every step.
        steps: play only the first ``steps`` steps (a short slice, for tests).
    """
    cluster = build_cluster(scenario, VirtualClock())
    app = DemoApp(cluster, scenario, autoplay=False, recording=True)
    app.scripted.settle = settle
    writer = CastWriter(size[0], size[1], speed or scenario.speed, scenario.title)
    recording = Recording("")
    with gc_paused():
        async with app.run_test(headless=True, size=size):
            await _play(app, scenario, writer, recording, svg=svg, steps=steps)
    recording.cast = writer.text()
    return recording


async def _play(
    app: DemoApp,
    scenario: Scenario,
    writer: CastWriter,
    recording: Recording,
    *,
    svg: bool,
    steps: int | None,
) -> None:
    """The recording proper: the player's steps, a frame captured at each change."""
    cluster = app.cluster
    await _until_ready(app)

    last: list[object] = [None]

    async def capture() -> None:
        signature = _signature(app)
        if signature == last[0]:
            writer.frame(cluster.clock.now(), writer.pending_or_shown())
            return
        last[0] = signature
        writer.frame(cluster.clock.now(), await _settled_screen(app))
        recording.frames += 1
        collect_young()

    player = AppPlayer(app, scenario, RecordPacer(cluster, capture, writer.hold), last=steps)

    def after_step(step: Step) -> None:
        app.clear_notifications()
        if svg:
            name = f"{step.number:02d}-{step.kind}.svg"
            recording.svgs[name] = app.export_screenshot(title=scenario.title)

    player.on_step = after_step
    app.player = player
    await player.run()
    if player.state != "done":
        raise RecordingFailed(player.error or f"the demo stopped ({player.state})")


async def _until_ready(app: DemoApp) -> None:
    for _ in range(200):
        await settle(app)
        if app.demo_ready:
            await _sync(app)
            return
    raise RecordingFailed("the app did not show the caption bar")


def _signature(app: DemoApp) -> object:
    """What the screen depends on: store version, whole simulated seconds (ages, clock),
    the player's step and state, focus, the pinned queries, the output pane."""
    player = app.player
    return (
        app.cluster.store.resource_version,
        int(app.cluster.clock.now()),
        (player.index, player.state) if player else None,
        id(app.focused),
        len(app._notifications),
    )


async def _settled_screen(app: DemoApp) -> str:
    """The screen once the app has caught up with the cluster (see :mod:`tui.demo.settle`)."""
    try:
        await _sync(app)
    except NeverSettled as exc:
        raise RecordingFailed(f"the screen never settled: {exc}") from None
    return screen_ansi(app)


async def _sync(app: DemoApp) -> None:
    """Let the bridge deliver every store change and the panels redraw, ages included."""
    await settle(app)
    screen = app.screen
    if isinstance(screen, MainScreen):
        screen.tick_ages()
        screen.update_status()
        await settle(app)
