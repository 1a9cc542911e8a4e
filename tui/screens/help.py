"""The help screen: every key (from :mod:`tui.keys`) and the status symbols."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.format import SYMBOLS
from tui.keys import help_rows


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
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)
            legend = "\n".join(f"  {sym}  {text}" for sym, text in SYMBOLS.values())
            yield Static(f"Symbols\n{legend}\n  ⚑  readiness fault injected", id="help-legend")

    def on_mount(self) -> None:
        """Fill the table from the key table."""
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("WHERE", "KEY", "WHAT")
        for where, key, what in help_rows():
            table.add_row(where, key, what)

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
