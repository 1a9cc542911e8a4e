"""The ``:`` command bar and the pane that shows a command's output.

The bar runs any line of the command language (``get pods -o wide``, ``scale sts web
--replicas=5``, ``nslookup nginx`` …) through ``engine.kubectl.run``; the output, stdout and
stderr interleaved as a terminal shows them, opens in a scrollable pane above the status bar.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, Static

from engine.cluster import Cluster
from engine.result import CommandResult
from tui.keys import bindings
from tui.widgets.history_input import HistoryInput
from tui.widgets.styling import text_style


def run_command(cluster: Cluster, line: str, namespace: str) -> CommandResult:
    """Run a command-language line; an engine failure becomes the error text."""
    from engine import kubectl

    try:
        return kubectl.run(cluster, line, namespace)
    except Exception as exc:  # show, never crash: the output pane prints the failure
        return CommandResult().fail(f"error: {type(exc).__name__}: {exc}\n")


class CommandOutput(VerticalScroll):
    """Scrollable output of the last command; ``escape`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("output")
    COMPONENT_CLASSES: ClassVar[set[str]] = {"output--command", "output--error"}

    def __init__(self) -> None:
        super().__init__(id="command-output")
        self.border_title = "Command output"
        self.border_subtitle = "esc closes"
        self.can_focus = True
        self.return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        """The text."""
        yield Static(id="command-text")

    def show(self, line: str, result: CommandResult) -> None:
        """Display ``result`` of ``line`` and take the focus."""
        error = text_style(self, "output--error")
        command = text_style(self, "output--command")
        text = Text(f"$ {line}\n", style=command)
        for stream, chunk in result.chunks:
            text.append(chunk, style=error if stream == "err" else "")
        if result.code:
            text.append(f"\n(exit {result.code})", style=error)
        self.query_one("#command-text", Static).update(text)
        self.add_class("-visible")
        self.scroll_home(animate=False)
        self.focus()

    @property
    def text(self) -> str:
        """The plain text shown."""
        return str(self.query_one("#command-text", Static).content)

    def action_close(self) -> None:
        """Hide the pane."""
        self.remove_class("-visible")
        _refocus(self, self.return_focus)


def _refocus(widget: Widget, target: Widget | None) -> None:
    if target is not None and target.is_attached and target.display:
        target.focus()
    else:
        widget.screen.focus_next()


class CommandBar(Horizontal):
    """``:`` prompt, hidden until opened."""

    def __init__(self, cluster: Cluster, namespace: str) -> None:
        super().__init__(id="command-bar")
        self.cluster = cluster
        self.namespace = namespace
        self.return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        """Prompt and input."""
        yield Label(":", id="command-prompt")
        yield HistoryInput(id="command-input", placeholder="get pods -o wide")

    def open(self) -> None:
        """Show the bar and focus its input."""
        focused = self.screen.focused
        if focused is not None and self not in focused.ancestors_with_self:
            self.return_focus = focused
        self.add_class("-visible")
        self.query_one(HistoryInput).focus()

    def close(self) -> None:
        """Hide the bar."""
        self.remove_class("-visible")
        self.query_one(HistoryInput).value = ""

    @on(HistoryInput.Submitted)
    def _run(self, event: HistoryInput.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        box = self.query_one(HistoryInput)
        self.close()
        if not line:
            _refocus(self, self.return_focus)
            return
        box.remember(line)
        app_command = getattr(self.app, "app_command", None)  # the app's own: save [FILE]
        result = app_command(line) if app_command is not None else None
        if result is None:
            result = run_command(self.cluster, line, self.namespace)
        output = self.screen.query_one(CommandOutput)
        output.return_focus = self.return_focus
        output.show(line, result)

    @on(HistoryInput.Left)
    def _leave(self, event: HistoryInput.Left) -> None:
        event.stop()
        self.close()
        _refocus(self, self.return_focus)
