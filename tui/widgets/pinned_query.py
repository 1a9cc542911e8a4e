"""One pinned DNS query: re-runs when the DNS table changes and shows what changed.

The answer lines of the latest run are shown with a gutter: ``+`` for an address that appeared
since the previous answer, ``-`` (struck through) for one that went away, ``✖`` for NXDOMAIN and
other failures. Because CoreDNS shuffles answers, runs are compared as sets of lines, and a
run whose answers did not change leaves the display (and its highlights) alone.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from engine.cluster import Cluster
from tui import dns_query
from tui.format import clock_text
from tui.widgets.styling import text_style


class PinnedQuery(Static):
    """A query line and its live answer."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pinned--title",
        "pinned--added",
        "pinned--removed",
        "pinned--failure",
        "pinned--answer",
        "pinned--meta",
    }

    def __init__(self, line: str, number: int) -> None:
        super().__init__(classes="pinned")
        self.line = line
        self.number = number
        self.argv = dns_query.parse(line)
        self.answers: list[str] | None = None
        self.last_diff = dns_query.AnswerDiff()
        self.changed_at = ""
        self.code = 0

    def rerun(self, cluster: Cluster, namespace: str) -> bool:
        """Run the query again; returns True if the answers changed."""
        result = dns_query.run(cluster, self.argv, namespace)
        answers = dns_query.answer_lines(result)
        self.code = result.code
        first = self.answers is None
        if self.answers is not None and sorted(answers) == sorted(self.answers):
            return False
        self.last_diff = (
            dns_query.diff(self.answers, answers)
            if self.answers is not None
            else dns_query.AnswerDiff()
        )
        if self.answers is not None:
            self.changed_at = clock_text(cluster.clock.wall())
        self.answers = answers
        self.update(self.render_answer())
        return not first

    def action_unpin(self) -> None:
        """Stop watching this query."""
        self.remove()

    def restyle(self) -> None:
        """Re-render with the current theme's colours."""
        if self.answers is not None:
            self.update(self.render_answer())

    def render_answer(self) -> Text:
        """Title, then gutter-marked answer lines."""

        def style(name: str) -> Style:
            return text_style(self, name)

        text = Text()
        text.append(f"▸{self.number} {self.line}", style("pinned--title"))
        meta = f"  exit {self.code}"
        if self.changed_at:
            meta += f" · changed {self.changed_at}"
        text.append(meta, style("pinned--meta"))
        text.append("  [unpin]", style("pinned--meta") + Style.from_meta({"@click": "unpin"}))
        added = list(self.last_diff.added)
        failures = Counter(line for line in self.answers or [] if dns_query.is_failure(line))
        for line in self.answers or []:
            if dns_query.is_failure(line):
                count = failures.pop(line, 0)  # A and AAAA fail alike: show each once
                if count:
                    times = f" (×{count})" if count > 1 else ""
                    text.append(f"\n✖ {line}{times}", style("pinned--failure"))
            elif line in added:
                added.remove(line)
                text.append(f"\n+ {line}", style("pinned--added"))
            else:
                text.append(f"\n  {line}", style("pinned--answer"))
        for line in self.last_diff.removed:
            text.append(f"\n- {line}", style("pinned--removed"))
        if not self.answers and not self.last_diff.removed:
            text.append("\n  (no answer lines)", style("pinned--meta"))
        return text
