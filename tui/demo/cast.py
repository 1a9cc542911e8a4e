"""asciicast v2 writing, and the app's screen as ANSI text.

A frame is the whole screen rendered as a terminal would receive it: the compositor's full
update (cursor moves plus styled text) through a Rich console, the same path
``App.export_screenshot`` takes for SVG. Frames are full redraws, so any frame can be shown
alone.

Times come from the simulated clock: ``cast time = simulated seconds / speed``, with long
quiet gaps shortened to ``max_gap`` (like ``asciinema rec --idle-time-limit``). Frames at the
same cast time collapse into the last one (unless the recorder holds one: a caption's reading
time, a typed command before its output), and a frame identical to the one before is not
written again, so event times strictly increase. The header's ``timestamp`` and ``env`` are
fixed: the same scenario records to the same bytes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from textual._compositor import LayoutUpdate
from textual.app import App

#: header timestamp of every recording (2026-01-01T00:00:00Z): no wall-clock time in a cast
TIMESTAMP = 1767225600
ENV = {"SHELL": "/bin/sh", "TERM": "xterm-256color"}
#: hide the cursor and clear the screen before the first frame
PROLOGUE = "\x1b[?25l\x1b[2J"
#: show the cursor again after the last one
EPILOGUE = "\x1b[?25h"


def screen_ansi(app: App[Any]) -> str:
    """The app's current screen as terminal output (escape codes, full redraw)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    if not isinstance(update, LayoutUpdate):
        raise TypeError(f"unexpected screen update: {type(update).__name__}")
    return update.render_segments(console)


@dataclass
class CastWriter:
    """Collects frames at simulated times; :meth:`text` is the asciicast v2 file."""

    width: int
    height: int
    speed: float = 1.0
    title: str = ""
    max_gap: float = 2.0
    final_hold: float = 3.0
    """Cast seconds the last frame stays before the recording ends."""
    events: list[tuple[float, str]] = field(default_factory=list)
    _cast_time: float = 0.0
    _last_sim: float | None = None
    _pending: str | None = None
    _shown: str | None = None

    def frame(self, sim_time: float, screen: str) -> None:
        """The screen at simulated time ``sim_time`` (non-decreasing)."""
        if self._last_sim is not None:
            gap = min(self.max_gap, max(0.0, sim_time - self._last_sim) / self.speed)
            if gap > 0:
                self._flush()
                self._cast_time += gap
        self._last_sim = sim_time
        self._pending = screen

    def hold(self, seconds: float) -> None:
        """Keep the latest screen for ``seconds`` of cast time (no simulated time passes):
        reading time for a caption, a typed command before its output."""
        if seconds > 0 and self._pending is not None:
            self._flush()
            self._cast_time += seconds

    def pending_or_shown(self) -> str:
        """The latest screen (to repeat it when nothing changed)."""
        return self._pending if self._pending is not None else (self._shown or "")

    def _flush(self) -> None:
        if self._pending is None or self._pending == self._shown:
            return
        prefix = PROLOGUE if not self.events else ""
        self.events.append((round(self._cast_time, 6), prefix + self._pending))
        self._shown = self._pending
        self._pending = None

    def header(self) -> dict[str, Any]:
        """The asciicast v2 header."""
        head: dict[str, Any] = {
            "version": 2,
            "width": self.width,
            "height": self.height,
            "timestamp": TIMESTAMP,
        }
        if self.title:
            head["title"] = self.title
        head["env"] = ENV
        return head

    def text(self) -> str:
        """The whole cast (header line, then one event per line)."""
        self._flush()
        end = round(self._cast_time + self.final_hold, 6)
        lines = [json.dumps(self.header(), ensure_ascii=False)]
        lines += [json.dumps([t, "o", data], ensure_ascii=False) for t, data in self.events]
        lines.append(json.dumps([end, "o", EPILOGUE]))
        return "\n".join(lines) + "\n"
