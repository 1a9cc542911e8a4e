"""Resolve a component class to a Rich style for text inside a widget.

``get_component_rich_style(partial=True)`` keeps the style's own colours but leaves
translucent theme colours (``$text-muted`` is the foreground at reduced alpha) unblended,
which renders them as white on a light theme. Resolving fully (blended with the widget's
background) and then dropping the background gives the colour as the theme intends, over
whatever the row or cursor behind it paints.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def text_style(widget: Widget, component: str) -> Style:
    """Foreground colour and text attributes of ``component`` in ``widget``."""
    full = widget.get_component_rich_style(component)
    return Style(
        color=full.color,
        bold=full.bold,
        italic=full.italic,
        underline=full.underline,
        strike=full.strike,
        reverse=full.reverse,
        dim=full.dim,
    )
