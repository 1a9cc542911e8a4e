"""An Input with shell-like history (up/down) and optional tab completion."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input

from tui.keys import bindings

Completer = Callable[[str], tuple[str, list[str]]]
"""Given the text so far, return (new text, candidates)."""


class HistoryInput(Input):
    """Remembers submitted lines; ``up``/``down`` walk them, ``escape`` leaves."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("command")

    class Left(Message):
        """The user pressed escape in the input."""

    class Completed(Message):
        """Tab completion found several ``candidates``."""

        def __init__(self, candidates: list[str]) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, *, completer: Completer | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._index = 0
        self._completer = completer

    def remember(self, line: str) -> None:
        """Add ``line`` to the history (no consecutive duplicates)."""
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._index = len(self.history)

    def action_history(self, step: int) -> None:
        """Show the previous (-1) or next (+1) remembered line."""
        if not self.history:
            return
        self._index = max(0, min(len(self.history), self._index + step))
        self.value = self.history[self._index] if self._index < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_leave(self) -> None:
        """Give the focus back."""
        self.post_message(self.Left())

    def action_complete(self) -> None:
        """Complete the word before the cursor; with nothing to complete, move focus on."""
        if self._completer is None:
            self.screen.focus_next()
            return
        text, candidates = self._completer(self.value)
        if text != self.value:
            self.value = text
            self.cursor_position = len(text)
        elif len(candidates) > 1:
            self.post_message(self.Completed(candidates))
        else:
            self.screen.focus_next()
