"""A full-screen text viewer for ``describe`` and YAML (escape or q closes)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static


class TextViewer(Screen[None]):
    """Shows ``text`` under ``title``, scrollable with the arrows, j/k and the mouse."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def __init__(self, title: str, text: str, *, error: bool = False) -> None:
        super().__init__(classes="viewer")
        self.title_text = title
        self.body = text
        self.error = error

    def compose(self) -> ComposeResult:
        """The scrollable text and the footer."""
        with VerticalScroll(id="viewer-scroll") as scroll:
            scroll.border_title = self.title_text
            scroll.can_focus = True
            yield Static(Text(self.body), id="viewer-text", classes="-error" if self.error else "")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the text so the arrows scroll it."""
        self.query_one("#viewer-scroll").focus()

    def action_scroll(self, direction: str) -> None:
        """Scroll one line."""
        scroll = self.query_one("#viewer-scroll", VerticalScroll)
        scroll.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def action_close(self) -> None:
        """Back to the playground."""
        self.dismiss(None)
