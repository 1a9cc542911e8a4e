"""The nslookup pane: a busybox-style prompt, its transcript and pinned queries.

Queries run from a pod's point of view in :attr:`NslookupPane.namespace` (its resolv.conf
search path), through :mod:`engine.dns.tools`. Besides DNS queries the prompt takes a few pane
commands: ``pin [query]``, ``unpin <n>|all``, ``ns <namespace>``, ``clear``, ``help``.
Pinned queries re-run whenever Services, endpoints or pods change (the DNS table is derived
from those) and highlight what changed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, RichLog

from engine.cluster import Cluster
from tui import dns_query
from tui.keys import bindings
from tui.widgets.history_input import HistoryInput
from tui.widgets.pinned_query import PinnedQuery
from tui.widgets.styling import text_style

#: kinds whose changes can change DNS answers
DNS_KINDS = frozenset({"Service", "Endpoints", "EndpointSlice", "Pod"})
PROMPT = "/ # "
PANE_HELP = (
    "nslookup NAME | dig [@server] NAME [TYPE] [+short] | host NAME | NAME\n"
    "pin [QUERY]   unpin N|all   ns NAMESPACE   clear      (tab completes names)"
)


class QueryInput(HistoryInput):
    """The prompt's input line."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("nslookup")

    def action_pin(self) -> None:
        """Pin what is typed (or the last query)."""
        line = self.value.strip() or (self.history[-1] if self.history else "")
        self.value = ""
        self.post_message(self.Submitted(self, f"pin {line}".strip()))

    def action_unpin_all(self) -> None:
        """Remove every pinned query."""
        self.post_message(self.Submitted(self, "unpin all"))


class NslookupPane(Vertical):
    """Prompt, transcript and pinned queries."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "nslookup--prompt",
        "nslookup--error",
        "nslookup--hint",
    }

    def __init__(self, cluster: Cluster, namespace: str, *, id: str = "nslookup") -> None:
        super().__init__(id=id)
        self.cluster = cluster
        self.namespace = namespace
        self._pins = 0
        self._update_title()

    def compose(self) -> ComposeResult:
        """Pinned queries, transcript, prompt."""
        yield VerticalScroll(id="pinned")
        yield RichLog(id="transcript", wrap=True, markup=False, highlight=False)
        with Horizontal(id="prompt-row"):
            yield Label(PROMPT, id="prompt")
            yield QueryInput(completer=self._complete, id="query", placeholder="nslookup nginx")

    def _update_title(self) -> None:
        self.border_title = f"nslookup · pod in {self.namespace}"
        count = len(self.pinned) if self.is_mounted else 0
        self.border_subtitle = f"{count} pinned" if count else "^p pins a query"

    @property
    def pinned(self) -> list[PinnedQuery]:
        """The pinned queries, in pin order."""
        return list(self.query(PinnedQuery))

    # -- prompt ---------------------------------------------------------------------------
    @on(HistoryInput.Submitted, "#query")
    def _submitted(self, event: HistoryInput.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        box = self.query_one(QueryInput)
        box.value = ""
        if line:
            box.remember(line)
            self.run_line(line)

    @on(HistoryInput.Left)
    def _left(self, event: HistoryInput.Left) -> None:
        event.stop()
        self.screen.focus_next()

    @on(HistoryInput.Completed)
    def _completions(self, event: HistoryInput.Completed) -> None:
        event.stop()
        self._write("  ".join(event.candidates[:12]), "nslookup--hint")

    def run_line(self, line: str) -> None:
        """Handle one prompt line (a query or a pane command)."""
        self._write(PROMPT + line, "nslookup--prompt")
        word, _, rest = line.partition(" ")
        commands = {
            "pin": self.pin,
            "unpin": self.unpin,
            "ns": self.set_namespace,
            "clear": lambda _rest: self.query_one(RichLog).clear(),
            "help": lambda _rest: self._write(PANE_HELP, "nslookup--hint"),
        }
        if word in commands:
            commands[word](rest.strip())
            return
        try:
            argv = dns_query.parse(line)
        except dns_query.QueryError as exc:
            self._write(str(exc), "nslookup--error")
            return
        result = dns_query.run(self.cluster, argv, self.namespace)
        self.query_one(RichLog).write(Text(result.text.rstrip("\n")))
        hint = dns_query.busybox_hint(self.cluster, argv, self.namespace, result.text)
        if hint:
            self._write(hint, "nslookup--hint")

    def _write(self, text: str, component: str) -> None:
        style = text_style(self, component)
        self.query_one(RichLog).write(Text(text, style=style))

    def _complete(self, text: str) -> tuple[str, list[str]]:
        head, _, word = text.rpartition(" ")
        pool = dns_query.known_names(self.cluster, self.namespace)
        if not head:
            pool = [*dns_query.TOOLS, *pool]
        done, matches = dns_query.complete(word, pool)
        if len(matches) == 1:
            done += " "
        return (f"{head} {done}" if head else done), matches

    # -- pinned ---------------------------------------------------------------------------
    def pin(self, line: str) -> None:
        """Pin a query so it re-runs whenever the DNS table changes."""
        if not line:
            self._write("pin: nothing to pin (type a query first)", "nslookup--error")
            return
        try:
            self._pins += 1
            widget = PinnedQuery(line, self._pins)
        except dns_query.QueryError as exc:
            self._pins -= 1
            self._write(f"pin: {exc}", "nslookup--error")
            return
        self.query_one("#pinned", VerticalScroll).mount(widget)
        widget.rerun(self.cluster, self.namespace)
        self._update_title()

    def unpin(self, which: str) -> None:
        """Unpin query number ``which`` (or ``all``)."""
        for widget in self.pinned:
            if which == "all" or which == str(widget.number):
                widget.remove()
        if which == "all":
            self._pins = 0
        self.call_after_refresh(self._update_title)

    def set_namespace(self, namespace: str) -> None:
        """Run queries from a pod in ``namespace`` from now on."""
        if not namespace:
            self._write(f"ns: queries run from namespace {self.namespace}", "nslookup--hint")
            return
        if self.cluster.store.get("Namespace", "", namespace) is None:
            self._write(f'ns: namespace "{namespace}" not found', "nslookup--error")
            return
        self.namespace = namespace
        self._update_title()
        self.rerun_pinned()

    def rerun_pinned(self) -> None:
        """Re-run every pinned query (the DNS table may have changed)."""
        for widget in self.pinned:
            widget.rerun(self.cluster, self.namespace)

    def restyle(self) -> None:
        """The theme changed."""
        for widget in self.pinned:
            widget.restyle()
