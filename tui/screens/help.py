"""The help screen: every key (from :mod:`tui.keys`) and the status symbols.

The key table is one pre-formatted text rather than a DataTable: it opens at once.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.format import SYMBOLS
from tui.keys import help_rows


def key_table() -> tuple[str, str]:
    """(header line, body) of the WHERE / KEY / WHAT table of every key."""
    rows = help_rows()
    where_w = max(len(r[0]) for r in rows) + 3
    key_w = max(len(r[1]) for r in rows) + 3
    lines = []
    previous = ""
    for where, key, what in rows:
        shown = where if where != previous else ""
        previous = where
        lines.append(f"{shown:<{where_w}}{key:<{key_w}}{what}")
    return f"{'WHERE':<{where_w}}{'KEY':<{key_w}}WHAT", "\n".join(lines)


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
            header, body = key_table()
            yield Static(header, id="help-header", markup=False)
            yield Static(body, id="help-keys", markup=False)
            legend = "\n".join(f"  {sym}  {text}" for sym, text in SYMBOLS.values())
            symbols = f"Symbols\n{legend}\n  ⚑  readiness fault injected"
            yield Static(symbols, id="help-legend", markup=False)

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
