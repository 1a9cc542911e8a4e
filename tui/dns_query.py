"""DNS queries for the nslookup pane (pure; no Textual).

Parses a prompt line into a tool call (``nslookup``/``dig``/``host``; a bare name means
``nslookup <name>``), runs it through :mod:`engine.dns.tools`, extracts the *answer lines*
that matter for change detection, and lists the names the DNS table knows (tab completion).
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass, field

from engine.cluster import Cluster
from engine.objects import name_of, namespace_of
from engine.result import CommandResult

TOOLS = ("nslookup", "dig", "host")
DOMAIN = "cluster.local"


class QueryError(ValueError):
    """The prompt line is not a query."""


def parse(line: str) -> list[str]:
    """argv for a prompt line; a bare name becomes ``nslookup <name>``."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise QueryError(f"sh: syntax error: {exc}") from None
    if not argv:
        raise QueryError("empty query")
    if argv[0] not in TOOLS:
        if len(argv) == 1 and not argv[0].startswith("-"):
            return ["nslookup", argv[0]]
        raise QueryError(f"sh: {argv[0]}: not found (try nslookup, dig or host)")
    return argv


def run(cluster: Cluster, argv: list[str], namespace: str) -> CommandResult:
    """Run the tool named by ``argv[0]`` from a pod in ``namespace``.

    Engine failures come back as a result with the error on stderr, never as an exception.
    """
    from engine.dns import tools  # dnspython is imported on the first query, not at app start

    runner = {"nslookup": tools.run_nslookup, "dig": tools.run_dig, "host": tools.run_host}
    try:
        return runner[argv[0]](cluster, argv[1:], namespace)
    except Exception as exc:  # the pane shows any engine failure as the tool's error text
        return CommandResult().fail(f"{argv[0]}: {type(exc).__name__}: {exc}\n")


def answer_lines(result: CommandResult) -> list[str]:
    """The lines that carry answers (not headers, comments, timings or blanks)."""
    lines = []
    for raw in result.text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith((";", "Server:")):
            continue
        if line.startswith("Address:") and (line.endswith(":53") or "#53" in line):
            continue
        lines.append(line)
    return lines


def is_failure(line: str) -> bool:
    """A line reporting NXDOMAIN / SERVFAIL / no answer."""
    return "NXDOMAIN" in line or "can't find" in line or "not found:" in line


@dataclass
class AnswerDiff:
    """What changed between two runs of a pinned query."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Anything added or removed."""
        return bool(self.added or self.removed)


def diff(before: list[str], after: list[str]) -> AnswerDiff:
    """Multiset difference of answer lines (answer order is shuffled per query)."""
    b, a = Counter(before), Counter(after)
    return AnswerDiff(list((a - b).elements()), list((b - a).elements()))


def busybox_hint(cluster: Cluster, argv: list[str], namespace: str, out: str) -> str | None:
    """A one-line hint when busybox's no-search-for-dotted-names rule caused NXDOMAIN.

    Returns None unless the query was ``nslookup <dotted short name>``, it failed with
    NXDOMAIN, and the name does resolve once the namespace's search suffix is added.
    """
    if argv[0] != "nslookup":
        return None
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names or "NXDOMAIN" not in out:
        return None
    name = names[0]
    if "." not in name or name.endswith(".") or name.endswith(DOMAIN):
        return None
    fqdn = f"{name}.{namespace}.svc.{DOMAIN}"
    if run(cluster, ["nslookup", fqdn], namespace).code != 0:
        return None
    return f"hint: busybox nslookup does not search dotted names — try {fqdn}"


def known_names(cluster: Cluster, namespace: str) -> list[str]:
    """Names the DNS table answers, short forms first (for tab completion)."""
    names: set[str] = set()
    store = cluster.store
    for svc in store.list("Service"):
        svc_name, ns = name_of(svc), namespace_of(svc)
        fqdn = f"{svc_name}.{ns}.svc.{DOMAIN}"
        names.update({f"{svc_name}.{ns}", fqdn})
        if ns == namespace:
            names.add(svc_name)
        for port in (svc.get("spec") or {}).get("ports") or []:
            if port.get("name"):
                proto = str(port.get("protocol", "TCP")).lower()
                names.add(f"_{port['name']}._{proto}.{fqdn}")
    for pod in store.list("Pod"):
        spec = pod.get("spec") or {}
        host, sub = spec.get("hostname"), spec.get("subdomain")
        if host and sub:
            ns = namespace_of(pod)
            names.update({f"{host}.{sub}.{ns}.svc.{DOMAIN}", f"{host}.{sub}.{ns}"})
            if ns == namespace:
                names.add(f"{host}.{sub}")
    return sorted(names, key=lambda n: (n.count("."), n))


def complete(word: str, candidates: list[str]) -> tuple[str, list[str]]:
    """Complete ``word`` against ``candidates``: (completed word, matches)."""
    matches = [c for c in candidates if c.startswith(word)]
    if not matches:
        return word, []
    prefix = matches[0]
    for m in matches[1:]:
        while not m.startswith(prefix):
            prefix = prefix[:-1]
    return prefix, matches
