"""The footer: the keys that apply where the focus is, each clickable.

Textual's ``Footer`` recomposes a widget per key on every focus change, which costs more than
a keypress may (the playground must answer a key well under 100 ms with 1,000 pods). This bar
renders the same information as one line of text; clicking a key simulates pressing it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from tui.widgets.styling import text_style


class KeyBar(Static):
    """One line of ``key description`` pairs from the screen's active bindings."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description"}

    def on_mount(self) -> None:
        """Follow the focus."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.show_keys)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.show_keys()

    def show_keys(self) -> None:
        """Render the keys that apply now."""
        key_style = text_style(self, "key-bar--key")
        description_style = text_style(self, "key-bar--description")
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            click = Style.from_meta({"@click": f"app.simulate_key({binding.key!r})"})
            text.append(f" {self.app.get_key_display(binding)} ", key_style + click)
            text.append(f"{binding.description} ", description_style + click)
        self.update(text, layout=False)  # one line, fixed height: no relayout

    @property
    def text(self) -> str:
        """The plain text shown (for tests)."""
        return str(self.content)
