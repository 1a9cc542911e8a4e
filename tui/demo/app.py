"""DemoApp: the playground app playing a scenario, with a caption bar on top.

It is :class:`~tui.app.PlaygroundApp` unchanged plus three things: the caption bar mounted on
the main screen, the :class:`~tui.demo.player.AppPlayer` (started at mount when ``autoplay``),
and a look at every key before the app handles it. While the script plays, ``space`` pauses
or resumes it, ``→`` steps forward, and any other key the *viewer* presses stops the script
and is then handled as usual (the keyboard is theirs). Keys the script presses itself are
recognised (:class:`~tui.demo.keys.ScriptedKeys`) and pass untouched.

When ``recording``, the cursor does not blink and notifications are cleared by the recorder
at each step, so the frames depend on the simulated clock only; and the main screen is a
:class:`RecordingScreen`, which does not render the partial updates nobody sees.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from engine.cluster import Cluster
from engine.scenarios import Scenario
from tui.app import PlaygroundApp
from tui.demo.caption import CaptionBar
from tui.demo.keys import ScriptedKeys
from tui.demo.pacing import LivePacer
from tui.demo.player import AppPlayer
from tui.screens.main import MainScreen

#: viewer keys that steer the demo instead of taking over
PAUSE_KEYS = ("space",)
STEP_KEYS = ("right",)


class RecordingScreen(MainScreen):
    """The main screen of a headless recording: updates are not rendered between frames.

    After each change Textual renders the changed regions of the screen and hands them to
    the driver, which, headless, drops them. A recording shows only the frames the recorder
    renders itself, whole (:func:`tui.demo.cast.screen_ansi`), so rendering the updates in
    between is wasted work (profiled: about a fifth of a recording's CPU time). The widgets'
    own line caches still know what changed, so the recorder's full render is the same.
    """

    def _compositor_refresh(self) -> None:
        self._compositor._dirty_regions.clear()
        self._dirty_widgets.clear()


class DemoApp(PlaygroundApp):
    """The playground with a scenario playing in it."""

    def __init__(
        self,
        cluster: Cluster,
        scenario: Scenario,
        *,
        autoplay: bool = True,
        recording: bool = False,
        dns_address: str | None = None,
    ) -> None:
        super().__init__(cluster, namespace=scenario.namespace, dns_address=dns_address)
        self.scenario = scenario
        self.autoplay = autoplay
        self.recording = recording
        self.scripted = ScriptedKeys()
        self.player: AppPlayer | None = None
        self.TITLE = f"statefulset-playground · {scenario.title}"

    def make_main_screen(self) -> MainScreen:
        """A :class:`RecordingScreen` when recording headlessly."""
        if self.recording and self.is_headless:
            return RecordingScreen(self.cluster, self.namespace, self.dns_address)
        return super().make_main_screen()

    def on_mount(self) -> None:
        """After the main screen is up: mount the caption bar (and start playing)."""
        self.call_after_refresh(self._prepare)

    async def _prepare(self) -> None:
        screen = self.screen
        if not isinstance(screen, MainScreen) or not screen.is_mounted:
            self.call_after_refresh(self._prepare)
            return
        bar = CaptionBar(self.scenario.title, len(self.scenario.steps))
        await screen.mount(bar, before=screen.query_one("#body"))
        bar.show_caption(self.scenario.description)
        if self.recording:
            for box in screen.query(Input):
                box.cursor_blink = False
        if self.autoplay:
            self.play(AppPlayer(self, self.scenario, LivePacer(self.cluster)))

    @property
    def demo_ready(self) -> bool:
        """Whether the caption bar is mounted (the player can start)."""
        return bool(self.screen.query(CaptionBar))

    def play(self, player: AppPlayer) -> None:
        """Start ``player`` as a worker (cancelled when the viewer takes over)."""
        self.player = player
        self.run_worker(player.run(), name="demo", group="demo", exit_on_error=False)

    async def on_event(self, event: events.Event) -> None:
        """Steer or hand over on the viewer's keys; scripted keys pass."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and not self.scripted.is_scripted(event)
            and self.player is not None
            and self.player.active
        ):
            if event.key in PAUSE_KEYS:
                self.player.toggle_pause()
                return
            if event.key in STEP_KEYS:
                self.player.step_forward()
                return
            self.player.take_over()
            self.workers.cancel_group(self, "demo")
        await super().on_event(event)
