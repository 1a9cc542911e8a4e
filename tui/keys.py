"""The key table, as data.

Every binding the playground offers is listed here once, grouped by where it applies. Widgets
build their ``BINDINGS`` from it (:func:`bindings`), the footer shows the ones that apply where
the focus is, and the help screen (:mod:`tui.screens.help`) prints the whole table — so the
help can never drift from what the keys do. The vocabulary is k9s's.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Key:
    """One binding: ``keys`` (Textual key names, comma-separated) runs ``action``."""

    keys: str
    action: str
    description: str
    display: str | None = None
    show: bool = True
    priority: bool = False
    bind: bool = True
    """False for keys listed in help that another widget already binds (tab, arrows)."""


#: scope name -> (title shown in help, keys)
SCOPES: dict[str, tuple[str, tuple[Key, ...]]] = {
    "global": (
        "Everywhere",
        (
            Key("question_mark", "app.help", "Help", "?"),
            Key("colon", "app.command_bar", "Command", ":"),
            Key("space", "app.toggle_pause", "Pause/resume", "space"),
            Key("less_than_sign", "app.slower", "Slower", "<", show=False),
            Key("greater_than_sign", "app.faster", "Faster", ">", show=False),
            Key("full_stop", "app.step", "Step (paused)", ".", show=False),
            Key("ctrl+t", "app.toggle_theme", "Dark/light theme", "^t", show=False),
            Key("ctrl+s", "app.save", "Save (to --save FILE, else the autosave)", "^s", show=False),
            Key("q", "app.quit", "Quit", "q"),
        ),
    ),
    "panel": (
        "Any panel",
        (
            Key("tab", "focus_next", "Next panel", "tab", bind=False),
            Key("shift+tab", "focus_previous", "Previous panel", "⇧tab", bind=False),
            Key("enter", "describe", "Describe (or click the selected row)", "⏎", bind=False),
            Key("y", "yaml", "YAML", "y"),
            Key("slash", "filter", "Filter", "/"),
            Key("ctrl+d", "delete", "Delete", "^d"),
            Key("ctrl+k", "force_delete", "Force delete", "^k", show=False),
        ),
    ),
    "table": (
        "Any panel",
        (
            Key("j", "cursor_down", "Down", "j/↓", show=False),
            Key("k", "cursor_up", "Up", "k/↑", show=False),
            Key("mouse", "", "Click a row to select it; click a key in the footer", bind=False),
        ),
    ),
    "workloads": (
        "Workloads panel",
        (
            Key("plus,equals_sign", "scale(1)", "Scale up", "+"),
            Key("minus", "scale(-1)", "Scale down", "-"),
        ),
    ),
    "pods": (
        "Pods panel",
        (
            Key("plus,equals_sign", "scale(1)", "Scale up", "+"),
            Key("minus", "scale(-1)", "Scale down", "-"),
            Key("r", "toggle_readiness", "Fail/pass readiness", "r"),
            Key("x", "crash", "Crash container", "x"),
            Key("n", "toggle_node", "Node down/up", "n"),
        ),
    ),
    "filter": (
        "Filter box",
        (
            Key("escape", "close_filter", "Clear filter", "esc"),
            Key("enter", "accept_filter", "Keep filter", "⏎", show=False),
        ),
    ),
    "nslookup": (
        "nslookup prompt",
        (
            Key("tab", "complete", "Complete name", "tab"),
            Key("up", "history(-1)", "Previous query", "↑", show=False),
            Key("down", "history(1)", "Next query", "↓", show=False),
            Key("ctrl+p", "pin", "Pin query", "^p"),
            Key("ctrl+u", "unpin_all", "Unpin all", "^u", show=False),
            Key("escape", "leave", "Leave prompt", "esc", show=False),
        ),
    ),
    "command": (
        "Command bar",
        (
            Key("up", "history(-1)", "Previous command", "↑", show=False),
            Key("down", "history(1)", "Next command", "↓", show=False),
            Key("escape", "leave", "Close", "esc"),
            Key("save", "", "Save now, to FILE (else where ^s saves)", "save [FILE]", bind=False),
        ),
    ),
    "output": (
        "Command output / viewers",
        (Key("escape", "close", "Close", "esc"),),
    ),
}


def bindings(scope: str) -> list[BindingType]:
    """The Textual bindings of ``scope``."""
    return [
        Binding(
            k.keys,
            k.action,
            k.description,
            show=k.show,
            key_display=k.display,
            priority=k.priority,
        )
        for k in SCOPES[scope][1]
        if k.bind
    ]


def help_rows() -> list[tuple[str, str, str]]:
    """(scope title, key as shown, description) for every key, in table order."""
    rows: list[tuple[str, str, str]] = []
    for title, keys in SCOPES.values():
        for k in keys:
            rows.append((title, k.display or k.keys, k.description))
    return rows
