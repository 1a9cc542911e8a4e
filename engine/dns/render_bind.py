"""bind9's ``nslookup`` and ``host`` (Debian ``bind9-dnsutils`` 9.18), as they print.

Both use the resolv.conf search list with ``ndots:5`` (names with fewer dots try every
suffix first, then the name as is; the first reply that is not NXDOMAIN ends the search).

``nslookup`` (BIND ``bin/dig/nslookup.c`` over ``dighost.c``; k8s-semantics.md §6.2):

* CoreDNS answers without RA, so every reply to a recursive query makes it print
  ``;; Got recursion not available from 10.96.0.10`` when it arrives (not when a server was
  given on the command line) — real pods show these lines around perfectly good answers;
* default mode: an A lookup, then for a NOERROR reply an AAAA lookup of the found name; the
  ``Server:``/``Address: …#53`` header is printed for the A lookup only, so a reverse lookup
  of an IP prints none; ``-type=X`` prints the header and does no AAAA follow-up;
* NXDOMAIN: ``** server can't find <name as typed>: NXDOMAIN``, exit status 1; A and AAAA
  both without records: ``*** Can't find <name>: No answer``; one final blank line.

``host`` (BIND ``bin/dig/host.c``): A, AAAA and MX lookups for a name, PTR for an IP;
``<name> has address …``, ``… domain name pointer …``, ``Host <name> not found:
3(NXDOMAIN)`` with exit status 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.dns.client import PodClient, reverse_name
from engine.dns.records import Answer, Record
from engine.result import CommandResult

TYPES = ("A", "AAAA", "ANY", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT")
_TYPE_KEYS = ("type", "ty", "querytype", "query", "qu", "q")
_TEXT = {
    "NS": "nameserver",
    "CNAME": "canonical name",
    "PTR": "name",
    "MX": "mail exchanger",
    "SRV": "service",
    "TXT": "text",
}


@dataclass
class _Options:
    qtype: str = ""
    search: bool = True
    port: int = 53
    args: list[str] = field(default_factory=list)


def _nslookup_options(argv: list[str]) -> _Options | str:
    opts = _Options()
    for arg in argv:
        if not arg.startswith("-") or arg == "-":
            opts.args.append(arg)
            continue
        key, _, value = arg[1:].partition("=")
        if key in _TYPE_KEYS:
            if value.upper() not in TYPES:
                return f"unknown query type: {value}\n"
            opts.qtype = value.upper()
        elif key in ("search", "nosearch"):
            opts.search = key == "search"
        elif key in ("port", "po") and value.isdigit():
            opts.port = int(value)
        elif key not in ("debug", "nodebug", "recurse", "timeout", "t", "retry", "ret", "sil"):
            return f"*** Invalid option: {arg[1:]}\n"
    if not opts.args:
        return "*** nslookup: interactive mode is not available here; give a name to look up\n"
    return opts


@dataclass
class _Lookup:
    """One name lookup with search, collecting the warnings printed as replies arrive."""

    client: PodClient
    warn_ra: bool
    lines: list[str] = field(default_factory=list)

    def run(self, name: str, qtype: str, search: bool) -> tuple[str, Answer]:
        names = self.client.candidates(name) if search else [name]
        answer = Answer(name, qtype)
        tried = name
        for tried in names:
            answer = self.client.query(tried, qtype)
            if self.warn_ra and not answer.ra:
                self.lines.append(f";; Got recursion not available from {self.client.server}\n")
            if answer.rcode != "NXDOMAIN":
                break
        return tried, answer


def _format_rr(rec: Record) -> str:
    owner = rec.name.rstrip(".")
    if rec.rdtype in ("A", "AAAA"):
        return f"Name:\t{owner}\nAddress: {rec.rdata}\n"
    if rec.rdtype == "SOA":
        mname, rname, serial, refresh, retry, expire, minimum = rec.rdata.split()
        return (
            f"{owner}\n\torigin = {mname.rstrip('.')}\n\tmail addr = {rname.rstrip('.')}\n"
            f"\tserial = {serial}\n\trefresh = {refresh}\n\tretry = {retry}\n"
            f"\texpire = {expire}\n\tminimum = {minimum}\n"
        )
    return f"{owner}\t{_TEXT.get(rec.rdtype, rec.rdtype)} = {rec.rdata}\n"


def run_nslookup(client: PodClient, argv: list[str]) -> CommandResult:
    """bind ``nslookup`` (non-interactive) with ``argv`` (without the program name)."""
    parsed = _nslookup_options(argv)
    if isinstance(parsed, str):
        return CommandResult().fail(parsed)
    host = parsed.args[0]
    explicit = len(parsed.args) > 1
    server = parsed.args[1] if explicit else client.server
    result = CommandResult()
    if parsed.port != 53 or not client.reachable(server):
        result.out(";; connection timed out; no servers could be reached\n\n")
        result.code = 1
        return result
    header = f"Server:\t\t{server}\nAddress:\t{server}#{parsed.port}\n\n"
    lookup = _Lookup(client, warn_ra=not explicit)
    ptr = reverse_name(host)
    qtype = parsed.qtype or ("PTR" if ptr else "A")
    name = ptr + "." if ptr and not parsed.qtype else host
    search = parsed.search and not (ptr and not parsed.qtype)
    tried, answer = lookup.run(name, qtype, search)
    out = lookup.lines
    if parsed.qtype or qtype == "A":
        out.append(header)
    shown = host if search else tried.rstrip(".") if ptr else host
    if answer.rcode != "NOERROR":
        out.append(f"** server can't find {shown}: {answer.rcode}\n")
        result.code = 1
    else:
        out += [_format_rr(r) for r in answer.answer]
        if not parsed.qtype and qtype == "A":
            _, aaaa = lookup.run(tried if tried.endswith(".") else tried + ".", "AAAA", False)
            out += [_format_rr(r) for r in aaaa.answer]
            if not answer.answer and not aaaa.answer:
                out.append(f"*** Can't find {tried.rstrip('.')}: No answer\n")
        elif not answer.answer:
            out.append(f"*** Can't find {shown}: No answer\n")
    out.append("\n")
    result.out("".join(out))
    return result


_HOST_TEXT = {
    "A": "has address",
    "AAAA": "has IPv6 address",
    "MX": "mail is handled by",
    "PTR": "domain name pointer",
    "SRV": "has SRV record",
    "TXT": "descriptive text",
    "NS": "name server",
    "CNAME": "is an alias for",
    "SOA": "has SOA record",
}
HOST_USAGE = (
    "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
    "            [-R number] [-m flag] [-p port] hostname [server]\n"
)


def _host_line(rec: Record) -> str:
    owner = rec.name.rstrip(".")
    return f"{owner} {_HOST_TEXT.get(rec.rdtype, rec.rdtype)} {rec.rdata}\n"


def _host_options(argv: list[str]) -> tuple[str, list[str]] | None:
    qtype, args = "", []
    items = list(argv)
    while items:
        arg = items.pop(0)
        if arg == "-t" and items:
            qtype = items.pop(0).upper()
        elif arg.startswith("-t") and len(arg) > 2:
            qtype = arg[2:].upper()
        elif arg in ("-4", "-6", "-r"):
            continue
        elif arg.startswith("-"):
            return None
        else:
            args.append(arg)
    if not args or len(args) > 2 or (qtype and qtype not in TYPES):
        return None
    return qtype, args


def run_host(client: PodClient, argv: list[str]) -> CommandResult:
    """bind ``host`` with ``argv`` (without the program name)."""
    parsed = _host_options(argv)
    if parsed is None:
        return CommandResult().fail(HOST_USAGE)
    qtype, args = parsed
    result = CommandResult()
    server = args[1] if len(args) > 1 else client.server
    if not client.reachable(server):
        result.out(";; connection timed out; no servers could be reached\n")
        result.code = 1
        return result
    out: list[str] = []
    if len(args) > 1:
        out.append(f"Using domain server:\nName: {server}\nAddress: {server}#53\nAliases: \n\n")
    lookup = _Lookup(client, warn_ra=False)
    ptr = reverse_name(args[0])
    if ptr and not qtype:
        plan, name, search = ["PTR"], ptr + ".", False
    else:
        plan, name, search = ([qtype] if qtype else ["A", "AAAA", "MX"]), args[0], True
    for index, rdtype in enumerate(plan):
        tried, answer = lookup.run(name, rdtype, search and index == 0)
        if answer.rcode != "NOERROR":
            shown = tried if ptr and not qtype else args[0]
            out.append(f"Host {shown} not found: 3({answer.rcode})\n")
            result.code = 1
            break
        out += [_host_line(r) for r in answer.answer]
        if qtype and not answer.answer:
            out.append(f"{tried.rstrip('.')} has no {rdtype} record\n")
        name, search = tried, False
    result.out("".join(out))
    return result
