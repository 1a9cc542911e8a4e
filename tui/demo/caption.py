"""The caption bar: what the demo is saying, where it is, and the keys that steer it.

Two lines above the panels: the caption in bold, then the step counter, the player's state
and (while the script plays) the keys: ``space`` pause, ``→`` next step, any other key takes
over.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

#: the hint shown while the demo plays
HINT = "space pause · → next step · any other key: take over"


class CaptionBar(Vertical):
    """Caption text, then the status line."""

    def __init__(self, title: str, total: int) -> None:
        super().__init__(id="demo-caption")
        self.title = title
        self.total = total
        self.caption = ""
        self.state = ""

    def compose(self) -> ComposeResult:
        """Caption, then the status line."""
        yield Static(self.title, id="demo-caption-text")
        yield Label("", id="demo-caption-state")

    def show_caption(self, text: str) -> None:
        """Replace the caption."""
        self.caption = text
        self.query_one("#demo-caption-text", Static).update(text)

    def show_state(self, step: int, state: str, *, hint: bool = True) -> None:
        """``step``/total, the player's state (▶ playing, ❚❚ paused …) and the hint."""
        self.state = state
        parts = [f"demo step {step}/{self.total}", state]
        if hint:
            parts.append(HINT)
        label = self.query_one("#demo-caption-state", Label)
        text = "   ".join(parts)
        # an auto-width label: the screen is laid out again only when the width changes
        label.update(text, layout=cell_len(text) != cell_len(str(label.content)))
        self.set_class(not hint, "-handed-over")
