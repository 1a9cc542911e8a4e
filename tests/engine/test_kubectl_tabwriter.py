"""Go text/tabwriter alignment as kubectl uses it."""

from __future__ import annotations

from engine.kubectl.tabwriter import align, table


def test_columns_are_widest_cell_plus_three_and_last_is_unpadded() -> None:
    text = table([["NAME", "READY", "AGE"], ["web-0", "1/1", "2m10s"], ["web-10", "0/1", "5s"]])
    assert text == ("NAME     READY   AGE\nweb-0    1/1     2m10s\nweb-10   0/1     5s\n")


def test_minimum_width_is_six() -> None:
    assert table([["A", "B"], ["x", "y"]]) == "A     B\nx     y\n"


def test_empty_middle_cells_are_padded_like_kubectl() -> None:
    rows = [
        ["NAME", "STATUS", "VOLUME", "CAPACITY", "AGE"],
        ["www-web-3", "Pending", "", "", "1s"],
    ]
    assert table(rows) == (
        "NAME        STATUS    VOLUME   CAPACITY   AGE\n"
        "www-web-3   Pending                       1s\n"
    )


def test_a_line_without_tabs_ends_the_column_block() -> None:
    text = "a:\tx\nlonger-key:\ty\nsection\nb:\tz\n"
    assert align(text, minwidth=0, padding=2) == (
        "a:           x\nlonger-key:  y\nsection\nb:  z\n"
    )


def test_nested_blocks_follow_go_rules() -> None:
    # the second column block only spans the lines that have a third cell
    text = "k\tv\textra\nkey2\tvalue\n"
    assert align(text, minwidth=0, padding=2) == "k     v  extra\nkey2  value\n"


def test_watch_rows_remember_column_widths() -> None:
    from engine.kubectl.commands.watch import RowWriter

    writer = RowWriter()
    assert writer.render([["NAME", "STATUS", "AGE"], ["web-0", "Pending", "0s"]]) == (
        "NAME    STATUS    AGE\nweb-0   Pending   0s\n"
    )
    # a wider cell widens its column from now on; narrower ones keep the remembered width
    assert writer.render([["web-0", "ContainerCreating", "1s"]]) == (
        "web-0   ContainerCreating   1s\n"
    )
    assert writer.render([["web-0", "Running", "4s"]]) == "web-0   Running             4s\n"
