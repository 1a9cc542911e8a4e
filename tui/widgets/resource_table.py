"""A DataTable that shows :class:`~tui.rows.Line` values and updates them in place.

:meth:`ResourceTable.show_lines` diffs the new lines against what is on screen (dolphie's
processlist pattern): rows whose key is gone are removed, changed cells are updated one by one,
new rows are added, and the table is re-ordered only when the key order changed. Nothing is
rebuilt, so the cursor stays on its object and a 1,000-row table stays cheap to refresh.

The AGE (or LAST SEEN) column is computed by the table from each line's ``stamp``, so
:meth:`ResourceTable.tick` can move ages forward without rebuilding any row.

Style tags of :class:`~tui.format.Styled` cells map to the component classes ``tag--<tag>``,
whose colours live in ``playground.tcss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widgets import DataTable

from tui.format import TAGS, Cell, Styled, age
from tui.keys import bindings
from tui.rows import Line, Ref


class ResourceTable(DataTable[Text | str]):
    """Keyed rows of one panel; the cursor row names the selected object."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("table")
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"tag--{t}" for t in TAGS}

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._column_names = tuple(columns)
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._refs: dict[str, Ref] = {}
        self._order: list[str] = []
        self._stamps: dict[str, str | None] = {}
        age_names = [c for c in self._column_names if c in ("AGE", "LAST SEEN")]
        self._age_index = self._column_names.index(age_names[0]) if age_names else None

    def on_mount(self) -> None:
        """Create the columns."""
        for name in self._column_names:
            self.add_column(name, key=name)

    # -- reading ------------------------------------------------------------------------
    @property
    def row_keys(self) -> list[str]:
        """Row keys in display order."""
        return list(self._order)

    def cells_of(self, key: str) -> tuple[str, ...]:
        """The plain text of a row's cells."""
        return tuple(c.text if isinstance(c, Styled) else c for c in self._cells[key])

    def column_text(self, column: str) -> list[str]:
        """Plain text of one column, top to bottom."""
        idx = self._column_names.index(column)
        return [self.cells_of(k)[idx] for k in self._order]

    @property
    def selected_key(self) -> str | None:
        """Key of the cursor row."""
        if not self._order or self.cursor_row < 0:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(row_key.value) if row_key.value is not None else None

    @property
    def selected_ref(self) -> Ref | None:
        """The object the cursor row is about."""
        key = self.selected_key
        return self._refs.get(key) if key is not None else None

    def select_key(self, key: str) -> None:
        """Move the cursor to the row ``key`` (no-op if absent)."""
        if key in self._cells:
            self.move_cursor(row=self.get_row_index(key))

    # -- updating -----------------------------------------------------------------------
    def show_lines(self, lines: Sequence[Line], now: datetime) -> None:
        """Make the table show exactly ``lines`` at time ``now``, touching only what changed."""
        selected = self.selected_key
        keep = {line.key for line in lines}
        for key in [k for k in self._cells if k not in keep]:
            self.remove_row(key)
            del self._cells[key]
            del self._refs[key]
            del self._stamps[key]
        for line in lines:
            self._refs[line.key] = line.ref
            self._stamps[line.key] = line.stamp
            cells = line.cells
            if self._age_index is not None:
                cells = self._with_age(cells, line.stamp, now)
            old = self._cells.get(line.key)
            if old is None:
                self.add_row(*(self._cell(c) for c in cells), key=line.key)
            elif old != cells:
                for name, before, after in zip(self._column_names, old, cells, strict=True):
                    if before != after:
                        self.update_cell(line.key, name, self._cell(after), update_width=True)
            self._cells[line.key] = cells
        order = [line.key for line in lines]
        if order != self._order:
            self._reorder(order)
            self._order = order
            if selected is not None and selected in self._cells:
                self.move_cursor(row=self.get_row_index(selected), animate=False)

    def tick(self, now: datetime) -> None:
        """Move the AGE column to ``now`` (only cells whose text changes are touched)."""
        index = self._age_index
        if index is None:
            return
        column = self._column_names[index]
        for key, cells in self._cells.items():
            stamp = self._stamps[key]
            if stamp is None:
                continue
            text = age(stamp, now)
            if cells[index] != text:
                self._cells[key] = (*cells[:index], text, *cells[index + 1 :])
                self.update_cell(key, column, self._cell(text))

    def _with_age(
        self, cells: tuple[Cell, ...], stamp: str | None, now: datetime
    ) -> tuple[Cell, ...]:
        index = self._age_index
        assert index is not None
        if stamp is None:
            return cells
        return (*cells[:index], age(stamp, now), *cells[index + 1 :])

    def restyle(self) -> None:
        """Re-render every cell (the theme changed, so tag colours did)."""
        for key, cells in self._cells.items():
            for name, cell in zip(self._column_names, cells, strict=True):
                if isinstance(cell, Styled):
                    self.update_cell(key, name, self._cell(cell))

    def _reorder(self, order: list[str]) -> None:
        first = self._column_names[0]
        rank = {id(self.get_cell(key, first)): i for i, key in enumerate(order)}
        self.sort(first, key=lambda cell: rank[id(cell)])

    def _cell(self, cell: Cell) -> Text | str:
        if isinstance(cell, Styled):
            style = self.get_component_rich_style(f"tag--{cell.tag}", partial=True)
            return Text(cell.text, style=style)
        return Text(cell)
