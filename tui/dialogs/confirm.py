"""A yes/no question as a modal screen that dismisses with a bool (frogmouth's shape)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmDialog(ModalScreen[bool]):
    """Ask ``question``; ``y``/enter on Yes confirms, ``n``/escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        Binding("left,right", "toggle_button", "Switch", show=False),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        """Question and two buttons (No focused: a stray enter never deletes)."""
        with Vertical(id="dialog-box") as box:
            box.border_title = self.title_text
            yield Label(self.question, id="dialog-question")
            with Horizontal(id="dialog-buttons"):
                yield Button("Yes", id="yes", variant="error")
                yield Button("No", id="no", variant="primary")

    def on_mount(self) -> None:
        """Default to No."""
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        """Close with ``yes``."""
        self.dismiss(yes)

    def action_toggle_button(self) -> None:
        """Move between Yes and No."""
        self.focus_next(Button)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
