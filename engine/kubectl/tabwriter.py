"""Go's ``text/tabwriter`` column alignment, as kubectl uses it.

Text is split into lines and each line into cells at TABs; a cell is *in a column* only when a
TAB terminates it, so the last cell of a line is never padded. A column block is a run of
consecutive lines that all have a cell in that column; its width is
``max(minwidth, widest cell + padding)``. Blocks nest from left to right exactly as Go's
recursive ``format`` does, which is why a line without TABs ends every block.

kubectl tables use ``minwidth=6, tabwidth=4, padding=3`` (cli-runtime ``GetNewTabWriter``);
``kubectl describe`` uses ``minwidth=0, tabwidth=8, padding=2``.
"""

from __future__ import annotations


def align(text: str, minwidth: int = 6, padding: int = 3) -> str:
    """Align ``text`` (TAB-separated cells, newline-terminated lines) with spaces."""
    trailing = text.endswith("\n")
    raw_lines = text.split("\n")
    if trailing:
        raw_lines.pop()
    lines = [line.split("\t") for line in raw_lines]
    out: list[str] = []
    _format(lines, 0, len(lines), [], minwidth, padding, out)
    result = "\n".join(out)
    return result + "\n" if trailing else result


def _format(
    lines: list[list[str]],
    line0: int,
    line1: int,
    widths: list[int],
    minwidth: int,
    padding: int,
    out: list[str],
) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write(lines, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, [*widths, width], minwidth, padding, out)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(
    lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]
) -> None:
    for cells in lines[line0:line1]:
        parts: list[str] = []
        for j, cell in enumerate(cells):
            if j < len(widths):
                parts.append(cell + " " * (widths[j] - len(cell)))
            else:
                parts.append(cell)
        out.append("".join(parts))


def table(rows: list[list[str]]) -> str:
    """A kubectl table: header and rows as cells, aligned with kubectl's settings."""
    return align("".join("\t".join(row) + "\n" for row in rows))
