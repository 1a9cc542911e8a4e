"""A fast, keyed table for the resource panels (a Line API widget, toolong's approach).

Textual's DataTable renders cell by cell and drops every cached cell whenever any cell changes,
so a 1,000-pod table costs tens of milliseconds per refresh and per focus change. This table
renders whole lines instead: each visible row becomes one :class:`~textual.strip.Strip`,
cached until that row's cells, the cursor, the focus, the column widths or the theme change.

:meth:`ResourceTable.show_lines` diffs new :class:`~tui.rows.Line` values against what is shown
(dolphie's processlist pattern): rows whose key is gone are dropped, changed rows re-render,
new rows appear in place, and the cursor stays on its object. The AGE (or LAST SEEN) column is
computed here from each line's ``stamp``, so :meth:`ResourceTable.tick` moves ages on without
rebuilding rows. Style tags of :class:`~tui.format.Styled` cells map to the component classes
``tag--<tag>``, whose colours live in ``playground.tcss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.format import TAGS, Cell, Styled, age, plain, text_width
from tui.keys import bindings
from tui.rows import Line, Ref
from tui.widgets.styling import text_style

_MOVES: list[BindingType] = [
    Binding("up", "cursor_up", "Up", show=False),
    Binding("down", "cursor_down", "Down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
    Binding("home", "first", "First", show=False),
    Binding("end", "last", "Last", show=False),
    Binding("enter", "choose", "Describe", show=False),
]


class ResourceTable(ScrollView, can_focus=True):
    """Keyed rows of one panel under a fixed header; the cursor row names the selection."""

    BINDINGS: ClassVar[list[BindingType]] = [*_MOVES, *bindings("table")]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        *(f"tag--{t}" for t in TAGS),
    }

    class Chosen(Message):
        """Enter, or a click on the row under the cursor: the user wants that object."""

        def __init__(self, table: ResourceTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            """The table."""
            return self.table

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._column_names = tuple(columns)
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._refs: dict[str, Ref] = {}
        self._stamps: dict[str, str | None] = {}
        self._order: list[str] = []
        self._widths = [cell_len(c) for c in self._column_names]
        self._row_widths: dict[str, tuple[tuple[Cell, ...], tuple[int, ...]]] = {}
        self._strips: LRUCache[tuple[str, bool, bool], tuple[object, Strip]] = LRUCache(1024)
        self.cursor_row = 0
        self._style_cache: dict[str, Style] = {}
        age_names = [c for c in self._column_names if c in ("AGE", "LAST SEEN")]
        self._age_index = self._column_names.index(age_names[0]) if age_names else None

    # -- reading ------------------------------------------------------------------------
    @property
    def row_keys(self) -> list[str]:
        """Row keys in display order."""
        return list(self._order)

    @property
    def row_count(self) -> int:
        """Number of rows."""
        return len(self._order)

    def cells_of(self, key: str) -> tuple[str, ...]:
        """The plain text of a row's cells."""
        return tuple(plain(c) for c in self._cells[key])

    def column_text(self, column: str) -> list[str]:
        """Plain text of one column, top to bottom."""
        idx = self._column_names.index(column)
        return [plain(self._cells[k][idx]) for k in self._order]

    @property
    def selected_key(self) -> str | None:
        """Key of the cursor row."""
        return self._order[self.cursor_row] if self._order else None

    @property
    def selected_ref(self) -> Ref | None:
        """The object the cursor row is about."""
        key = self.selected_key
        return self._refs.get(key) if key is not None else None

    def select_key(self, key: str) -> None:
        """Move the cursor to the row ``key`` (no-op if absent)."""
        if key in self._cells:
            self._move_to(self._order.index(key))

    # -- updating -----------------------------------------------------------------------
    def show_lines(self, lines: Sequence[Line], now: datetime) -> None:
        """Make the table show exactly ``lines`` at time ``now``, touching only what changed."""
        selected = self.selected_key
        cells: dict[str, tuple[Cell, ...]] = {}
        refs: dict[str, Ref] = {}
        stamps: dict[str, str | None] = {}
        ages: dict[str, str] = {}
        known, i = self._cells, self._age_index
        for key, ref, row, stamp in lines:
            if i is not None and stamp is not None:
                text = ages.get(stamp)
                if text is None:
                    text = ages[stamp] = age(stamp, now)
                if row[i] != text:
                    row = (*row[:i], text, *row[i + 1 :])
            old = known.get(key)
            cells[key] = old if old is not None and (old is row or old == row) else row
            refs[key] = ref
            stamps[key] = stamp
        self._cells, self._refs, self._stamps = cells, refs, stamps
        self._order = list(cells)
        if selected in cells:
            self.cursor_row = self._order.index(selected)
        self.cursor_row = max(0, min(self.cursor_row, len(self._order) - 1))
        self._measure()
        self.refresh()

    def tick(self, now: datetime) -> None:
        """Move the AGE column to ``now`` (only rows whose text changes re-render)."""
        i = self._age_index
        if i is None:
            return
        changed = False
        width = self._widths[i]
        ages: dict[str, str] = {}
        for key, row in self._cells.items():
            stamp = self._stamps[key]
            if stamp is None:
                continue
            text = ages.get(stamp)
            if text is None:
                text = ages[stamp] = age(stamp, now)
            if row[i] != text:
                self._cells[key] = (*row[:i], text, *row[i + 1 :])
                width = max(width, text_width(text))
                changed = True
        if width != self._widths[i]:  # a wider AGE column moves every cell after it
            self._widths[i] = width
            self._strips.clear()
            size = self.virtual_size
            self._resize_content(Size(sum(self._widths) + 2 * len(self._widths), size.height))
        if changed:
            self.refresh()

    def restyle(self) -> None:
        """Re-render every row (the theme changed, so tag colours did)."""
        self._strips.clear()
        self._style_cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        """Styles changed (focus, theme): cached styles and lines are stale."""
        super().notify_style_update()
        self._strips.clear()
        self._style_cache.clear()

    def _measure(self) -> None:
        header = tuple(cell_len(c) for c in self._column_names)
        known = self._row_widths
        fresh: dict[str, tuple[tuple[Cell, ...], tuple[int, ...]]] = {}
        for key, row in self._cells.items():
            hit = known.get(key)
            if hit is None or hit[0] is not row:
                hit = (row, tuple([text_width(plain(c)) for c in row]))
            fresh[key] = hit
        self._row_widths = fresh
        widths = [
            max(column) for column in zip(header, *(w for _, w in fresh.values()), strict=True)
        ]
        if widths != self._widths:
            self._widths = widths
            self._strips.clear()
        size = Size(sum(widths) + 2 * len(widths), len(self._order) + 1)
        if size != self.virtual_size:
            self._resize_content(size)

    def _resize_content(self, size: Size) -> None:
        """New content size: a screen layout only when the table's own size follows it.

        Setting ``virtual_size`` lays the whole screen out again (tens of milliseconds), but
        a table whose height and width come from the CSS (``1fr``, ``70vh``) keeps its size
        when rows come and go; only its scroll range and scrollbars change, which
        ``_scroll_update`` handles (it asks for a layout itself if a scrollbar appears or
        goes). An ``auto``-sized table (the workloads panel) still takes the layout path.
        """
        height, width = self.styles.height, self.styles.width
        if height is None or width is None or height.is_auto or width.is_auto:
            self.virtual_size = size
        else:
            self.set_reactive(ResourceTable.virtual_size, size)
            self._scroll_update(size)

    # -- rendering ----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows scrolled into view."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style("base")
        if y == 0:
            strip = self._line_strip("", self._column_names, header=True)
        else:
            index = scroll_y + y - 1
            if index >= len(self._order):
                return Strip.blank(width, base)
            key = self._order[index]
            cursor = index == self.cursor_row
            strip = self._line_strip(key, self._cells[key], cursor=cursor)
            if cursor:  # the cursor bar spans the whole width
                base = self._style("cursor")
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _line_strip(
        self, key: str, cells: Sequence[Cell], *, cursor: bool = False, header: bool = False
    ) -> Strip:
        cache_key = (key, cursor, self.has_focus)
        hit = self._strips.get(cache_key)
        if hit is not None and hit[0] is cells:
            return hit[1]
        text = Text(no_wrap=True, end="")
        for cell, width in zip(cells, self._widths, strict=False):
            content = plain(cell)
            style = self._style(f"tag--{cell.tag}") if isinstance(cell, Styled) else None
            text.append(" ")
            text.append(content, style)
            text.append(" " * (width - cell_len(content) + 1))
        if header:
            text.stylize_before(self._style("header"))
        elif cursor:
            text.stylize_before(self._style("cursor"))
        text.stylize_before(self._style("base"))
        strip = Strip(text.render(self.app.console), text.cell_len)
        self._strips[cache_key] = (cells, strip)
        return strip

    def _style(self, name: str) -> Style:
        """Styles resolved once per style change (``rich_style`` walks the DOM each call)."""
        style = self._style_cache.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif name in ("header", "cursor"):  # blended: the cursor colour is translucent
                style = self.get_component_rich_style(f"resource-table--{name}")
            else:
                style = text_style(self, name)
            self._style_cache[name] = style
        return style

    # -- cursor -------------------------------------------------------------------------
    def _move_to(self, row: int) -> None:
        if not self._order:
            return
        self.cursor_row = max(0, min(row, len(self._order) - 1))
        visible = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)
        self.refresh()

    def action_cursor_up(self) -> None:
        """One row up."""
        self._move_to(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self._move_to(self.cursor_row + 1)

    def action_page_up(self) -> None:
        """One page up."""
        self._move_to(self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_page_down(self) -> None:
        """One page down."""
        self._move_to(self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        """First row."""
        self._move_to(0)

    def action_last(self) -> None:
        """Last row."""
        self._move_to(len(self._order) - 1)

    def action_choose(self) -> None:
        """Ask for the cursor row's object (describe)."""
        if self._order:
            self.post_message(self.Chosen(self, self._order[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        """Click selects a row; clicking the selected row again chooses it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = self.scroll_offset.y + offset.y - 1
        if index >= len(self._order):
            return
        if index == self.cursor_row:
            self.action_choose()
        else:
            self._move_to(index)
