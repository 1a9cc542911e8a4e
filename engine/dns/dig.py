"""bind's ``dig`` (9.18, as Debian bookworm ships it) against the cluster DNS.

What it prints follows BIND ``bin/dig/dig.c`` / ``dighost.c`` and was checked line by line
against the real binary querying this engine's answers:

* the ``; <<>> DiG 9.18.… <<>> args`` banner, ``;; global options: +cmd``, ``;; Got answer:``;
  for names under ``.local`` the two mDNS warning lines dig 9.18 prints;
* ``;; ->>HEADER<<- opcode: QUERY, status: …, id: N`` (ids from ``cluster.rng("dig")``),
  ``;; flags: qr aa rd`` — CoreDNS sets AA but not RA, hence ``;; WARNING: recursion requested
  but not available``;
* the OPT pseudosection (dig sends EDNS with a 1232-byte buffer and a client cookie, CoreDNS
  echoes both: ``; COOKIE: … (echoed)``), then the sections in BIND's column layout;
* ``;; Query time: 0 msec``, ``;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)``, ``;; WHEN:``
  (simulated time) and ``;; MSG SIZE  rcvd: N`` — the reply's real wire size; CoreDNS sends
  uncompressed replies unless they would not fit (``request.Scrub``).

dig does not use the search list unless ``+search`` is given. Options: ``@server``, ``-t``,
``-x``, ``-q``, ``-c``, ``-p``, ``-4``/``-6``, ``+[no]short``, ``+[no]search``, ``+[no]all``,
the section toggles (``+noall +answer`` …), ``+[no]cmd``, ``+[no]stats``, ``+[no]comments``,
``+[no]edns``, ``+[no]cookie``, ``+[no]recurse``, ``+[no]tcp``/``+[no]vc``, ``+ndots=N``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.dns.client import PodClient, reverse_name
from engine.dns.message import response_size
from engine.dns.records import Answer, Record
from engine.dns.render_bind import TYPES
from engine.result import CommandResult

VERSION = "9.18.49-1~deb12u3-Debian"
_DISPLAY = ("cmd", "comments", "question", "answer", "authority", "additional", "stats")
_FLAG_OPTIONS = {"search", "short", "edns", "cookie", "recurse", "tcp", "vc", "all", *_DISPLAY}
USAGE = (
    "Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n"
    "            {global-d-opt} host [@local-server] {local-d-opt}\n"
    "            [ host [@local-server] {local-d-opt} [...]]\n"
    '\nUse "dig -h" (or "dig -h | more") for complete list of options\n'
)


@dataclass
class DigOptions:
    """Parsed command line."""

    server: str = ""
    port: int = 53
    #: [name, type] per lookup, in command-line order ("" type: A, or NS for the root)
    lookups: list[list[str]] = field(default_factory=list)
    #: a type given before any name: every lookup starts with it (dig clones its defaults)
    default_type: str = ""
    short: bool = False
    search: bool = False
    edns: bool = True
    cookie: bool = True
    recurse: bool = True
    tcp: bool = False
    ndots: int = 5
    show: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(_DISPLAY, True))
    warnings: list[str] = field(default_factory=list)


class DigError(Exception):
    """A command-line error: message for stderr."""


def _plus(opts: DigOptions, word: str) -> None:
    raw = word[1:]
    key, _, value = raw.partition("=")
    on = not key.startswith("no")
    key = key[2:] if not on else key
    if key == "ndots" and value.isdigit():
        opts.ndots = int(value)
    elif key not in _FLAG_OPTIONS:
        raise DigError(f"Invalid option: {word}\n{USAGE}")
    elif key == "all":
        opts.show = dict.fromkeys(_DISPLAY, on)
    elif key in _DISPLAY:
        opts.show[key] = on
    elif key in ("tcp", "vc"):
        opts.tcp = on
    else:
        setattr(opts, key, on)


def parse(argv: list[str]) -> DigOptions:
    """Parse dig's command line (one lookup)."""
    opts = DigOptions()
    items = list(argv)
    while items:
        word = items.pop(0)
        if word.startswith("@"):
            opts.server = word[1:]
        elif word.startswith("+"):
            _plus(opts, word)
        elif word in ("-4", "-6"):
            continue
        elif word in ("-t", "-x", "-q", "-c", "-p"):
            if not items:
                raise DigError(f"dig: option requires an argument -- '{word[1]}'\n{USAGE}")
            _dash(opts, word, items.pop(0))
        elif word.startswith("-") and len(word) > 2 and word[1] in "txqcp":
            _dash(opts, word[:2], word[2:])
        elif word.startswith("-"):
            raise DigError(f"Invalid option: {word}\n{USAGE}")
        elif word.upper() in ("IN", "CH", "HS"):
            continue
        elif word.upper() in TYPES:
            _set_type(opts, word.upper())
        else:
            _add_name(opts, word)
    return opts


def _add_name(opts: DigOptions, name: str) -> None:
    opts.lookups.append([name, opts.default_type])


def _set_type(opts: DigOptions, qtype: str, *, flag: bool = False) -> None:
    """A type applies to the latest lookup, or before any name to the defaults every lookup
    starts from; ``-t`` on one that already has a type warns (and still applies)."""
    current = opts.lookups[-1] if opts.lookups else None
    previous = current[1] if current is not None else opts.default_type
    if flag and previous:
        opts.warnings.append(";; Warning, extra type option\n")
    if current is None:
        opts.default_type = qtype
    else:
        current[1] = qtype


def _reverse(value: str) -> str | None:
    """dig -x: a full address, or 1–4 IPv4 octets (``1.2.3`` → ``3.2.1.in-addr.arpa``)."""
    ptr = reverse_name(value)
    if ptr is not None:
        return ptr
    octets = value.split(".")
    if 1 <= len(octets) <= 4 and all(o.isdigit() and int(o) < 256 for o in octets):
        return ".".join(reversed(octets)) + ".in-addr.arpa"
    return None


def _dash(opts: DigOptions, flag: str, value: str) -> None:
    if flag == "-t":
        if value.upper() in TYPES:
            _set_type(opts, value.upper(), flag=True)
        else:
            opts.warnings.append(f";; Warning, ignoring invalid type {value}\n")
    elif flag == "-x":
        ptr = _reverse(value)
        if ptr is None:
            raise DigError(f"dig: '{value}' is not a legal IPv4 or IPv6 address\n")
        opts.lookups.append([ptr + ".", opts.default_type or "PTR"])
    elif flag == "-q":
        _add_name(opts, value)
    elif flag == "-p":
        if not value.isdigit():
            raise DigError(f"dig: invalid port number '{value}'\n")
        opts.port = int(value)


def _tabify(fields: list[tuple[str, int]]) -> str:
    """BIND masterdump column layout: each field starts at its column (tabs, then a space
    when the column is already passed)."""
    out, col = "", 0
    for index, (text, column) in enumerate(fields):
        if index:
            target = max(column, col + 1)
            tabs = target // 8 - col // 8
            if tabs > 0:
                out += "\t" * tabs
                col = (target // 8) * 8
            out += " " * (target - col)
            col = target
        out += text
        col += len(text)
    return out


def format_rr(rec: Record) -> str:
    """One RR as dig prints it (name, TTL at col 24, class 32, type 40, rdata 48)."""
    return (
        _tabify([(rec.name, 0), (str(rec.ttl), 24), ("IN", 32), (rec.rdtype, 40), (rec.rdata, 48)])
        + "\n"
    )


def _flags(answer: Answer, opts: DigOptions) -> str:
    flags = ["qr"]
    if answer.aa:
        flags.append("aa")
    if opts.recurse:
        flags.append("rd")
    if answer.ra:
        flags.append("ra")
    return " ".join(flags)


def _header(answer: Answer, opts: DigOptions, qid: int, cookie: str) -> str:
    opt_count = 1 if opts.edns else 0
    lines = [";; Got answer:\n"]
    if answer.qname.lower().rstrip(".").endswith(".local"):
        lines.append(";; WARNING: .local is reserved for Multicast DNS\n")
        lines.append(
            ";; You are currently testing what happens when an mDNS query is leaked to DNS\n"
        )
    lines.append(f";; ->>HEADER<<- opcode: QUERY, status: {answer.rcode}, id: {qid}\n")
    lines.append(
        f";; flags: {_flags(answer, opts)}; QUERY: 1, ANSWER: {len(answer.answer)}, "
        f"AUTHORITY: {len(answer.authority)}, ADDITIONAL: {len(answer.additional) + opt_count}\n"
    )
    if opts.recurse and not answer.ra:
        lines.append(";; WARNING: recursion requested but not available\n")
    lines.append("\n")
    if opts.edns:
        lines.append(";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n")
        if opts.cookie:
            lines.append(f"; COOKIE: {cookie} (echoed)\n")
    return "".join(lines)


def _sections(answer: Answer, opts: DigOptions) -> str:
    comments = opts.show["comments"]
    out = []
    if opts.show["question"]:
        out.append(";; QUESTION SECTION:\n" if comments else "")
        # BIND writes the ";" before laying out the columns, so it does not count
        out.append(";" + _tabify([(answer.qname, 0), ("IN", 32), (answer.qtype, 40)]) + "\n")
        out.append("\n" if comments else "")
    for key, title, records in (
        ("answer", "ANSWER", answer.answer),
        ("authority", "AUTHORITY", answer.authority),
        ("additional", "ADDITIONAL", answer.additional),
    ):
        if opts.show[key] and records:
            out.append(f";; {title} SECTION:\n" if comments else "")
            out += [format_rr(r) for r in records]
            out.append("\n" if comments else "")
    return "".join(out)


def _stats(answer: Answer, opts: DigOptions, client: PodClient, size: int) -> str:
    when = client.cluster.clock.wall().strftime("%a %b %d %H:%M:%S UTC %Y")
    proto = "TCP" if opts.tcp or answer.qtype == "ANY" else "UDP"  # dig sends ANY over TCP
    server = client.server
    return (
        ";; Query time: 0 msec\n"
        f";; SERVER: {server}#{opts.port}({server}) ({proto})\n"
        f";; WHEN: {when}\n"
        f";; MSG SIZE  rcvd: {size}\n\n"
    )


def _lookup(client: PodClient, opts: DigOptions, name: str, qtype: str) -> Answer:
    if not opts.search or name.endswith("."):
        return client.query(name, qtype)
    answer = Answer(name, qtype)
    for candidate in client.candidates(name, opts.ndots):
        answer = client.query(candidate, qtype)
        if answer.rcode != "NXDOMAIN":
            break
    return answer


def _search_cancelled(client: PodClient, opts: DigOptions, name: str, answer: Answer) -> bool:
    """+search on a name with ndots or more dots that got NXDOMAIN as is."""
    dotted = not name.endswith(".") and name.count(".") >= opts.ndots
    return opts.search and dotted and answer.rcode == "NXDOMAIN"


def _one_lookup(
    client: PodClient, opts: DigOptions, name: str, qtype: str, qid: int, cookie: str
) -> str:
    answer = _lookup(client, opts, name, qtype)
    if opts.short:
        return "".join(f"{r.rdata}\n" for r in answer.answer)
    out = []
    if opts.show["comments"]:
        out.append(_header(answer, opts, qid, cookie))
    out.append(_sections(answer, opts))
    if opts.show["stats"]:
        stats = _stats(answer, opts, client, response_size(answer, opts.edns, opts.cookie))
        out.append(stats)
        if _search_cancelled(client, opts, name, answer):
            out.append(stats)  # dig 9.18 prints the stats again when it drops the search
    return "".join(out)


def run(client: PodClient, argv: list[str]) -> CommandResult:
    """Run ``dig`` with ``argv`` (without the program name)."""
    try:
        opts = parse(argv)
    except DigError as exc:
        return CommandResult().fail(str(exc))
    result = CommandResult().err("".join(opts.warnings))
    out: list[str] = []
    banner = ""
    if opts.show["cmd"] and not opts.short:
        banner = f"\n; <<>> DiG {VERSION} <<>>{''.join(' ' + a for a in argv)}\n"
        if opts.server:
            banner += "; (1 server found)\n"
        banner += ";; global options: +cmd\n"
    if (opts.server and not client.reachable(opts.server)) or opts.port != 53:
        server = opts.server or client.server
        out += [f";; communications error to {server}#{opts.port}: timed out\n"] * 3
        out += [banner, ";; no servers could be reached\n"]
        result.out("".join(out))
        result.code = 9
        return result
    out.append(banner)
    rng = client.cluster.rng("dig")
    qid = rng.randrange(65536)
    cookie = f"{rng.getrandbits(64):016x}"  # one client cookie for the whole run
    for index, (name, qtype) in enumerate(opts.lookups or [[".", "NS"]]):
        qid = qid if index == 0 else rng.randrange(65536)
        out.append(_one_lookup(client, opts, name, qtype or "A", qid, cookie))
    result.out("".join(out))
    return result
