"""The help screen: every key (from :mod:`tui.keys`) and the status symbols.

The key table is one pre-formatted text rather than a DataTable: it opens at once.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.format import SYMBOLS
from tui.keys import help_rows


def key_table() -> Text:
    """WHERE / KEY / WHAT columns for every key."""
    rows = [("WHERE", "KEY", "WHAT"), *help_rows()]
    where_w = max(len(r[0]) for r in rows) + 3
    key_w = max(len(r[1]) for r in rows) + 3
    text = Text()
    previous = ""
    for i, (where, key, what) in enumerate(rows):
        shown = where if where != previous else ""
        previous = where
        line = f"{shown:<{where_w}}{key:<{key_w}}{what}"
        text.append(line + "\n", style="bold" if i == 0 else "")
    return text


class HelpScreen(ModalScreen[None]):
    """Keys by where they apply, then the symbol legend."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        """The key table and the legend."""
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc closes"
            yield Static(key_table(), id="help-keys")
            legend = "\n".join(f"  {sym}  {text}" for sym, text in SYMBOLS.values())
            yield Static(f"Symbols\n{legend}\n  ⚑  readiness fault injected", id="help-legend")

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
