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
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_IGNORED = ("nodebug", "recurse", "timeout", "t", "retry", "ret", "sil", "vc", "novc")
_UNSIMULATED = ("debug", "d2", "norecurse", "class", "cl")


def _nslookup_options(argv: list[str]) -> _Options:
    """Options; bad ones are reported (on stdout, as nslookup does) and skipped."""
    opts = _Options()
    for arg in argv:
        if not arg.startswith("-") or arg == "-":
            opts.args.append(arg)
            continue
        key, _, value = arg[1:].partition("=")
        if key in _TYPE_KEYS:
            if value.upper() in TYPES:
                opts.qtype = value.upper()
            else:
                opts.notes.append(f"unknown query type: {value}\n")
        elif key in ("search", "nosearch"):
            opts.search = key == "search"
        elif key in ("port", "po") and value.isdigit():
            opts.port = int(value)
        elif key in _UNSIMULATED:
            opts.errors.append(f"nslookup: -{key} is not simulated in the playground\n")
        elif key not in _IGNORED:
            opts.notes.append(f"*** Invalid option: {arg[1:]}\n")
    return opts


def _timed_out(server: str, port: int, tries: int) -> str:
    """What bind's tools print when a server never answers (the playground's closed net)."""
    return f";; communications error to {server}#{port}: timed out\n" * tries + (
        ";; no servers could be reached\n"
    )


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
    if parsed.errors:
        return CommandResult().fail("".join(parsed.errors))
    if not parsed.args:
        return CommandResult().fail(
            "nslookup: interactive mode is not available here; give a name to look up\n"
        )
    host = parsed.args[0]
    explicit = len(parsed.args) > 1
    server = parsed.args[1] if explicit else client.server
    result = CommandResult().out("".join(parsed.notes))
    if parsed.port != 53 or not client.reachable(server):
        result.out(_timed_out(server, parsed.port, 3) + "\n")
        result.code = 1
        return result
    header = f"Server:\t\t{server}\nAddress:\t{server}#{parsed.port}\n\n"
    out, failed = _nslookup_lines(_Lookup(client, warn_ra=not explicit), parsed, host, header)
    result.out("".join(out))
    result.code = 1 if failed else 0
    return result


def _nslookup_lines(
    lookup: _Lookup, parsed: _Options, host: str, header: str
) -> tuple[list[str], bool]:
    """The lines of one nslookup run, and whether it ended in ``server can't find``."""
    ptr = reverse_name(host)
    qtype = "PTR" if ptr else parsed.qtype or "A"
    tried, answer = lookup.run(ptr + "." if ptr else host, qtype, parsed.search and not ptr)
    out = lookup.lines
    if parsed.qtype or qtype == "A":
        out.append(header)
    shown = tried.rstrip(".") if ptr else host.rstrip(".")
    if answer.rcode != "NOERROR":
        return [*out, f"** server can't find {shown}: {answer.rcode}\n", "\n"], True
    out += [_format_rr(r) for r in answer.answer]
    if not parsed.qtype and qtype == "A":  # default mode: AAAA follow-up of the found name
        _, aaaa = lookup.run(tried if tried.endswith(".") else tried + ".", "AAAA", False)
        out += [_format_rr(r) for r in aaaa.answer]
        if not answer.answer and not aaaa.answer:
            out.append(f"*** Can't find {tried.rstrip('.')}: No answer\n")
    elif not answer.answer:
        out.append(f"*** Can't find {shown}: No answer\n")
    return [*out, "\n"], False


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
    "       -a is equivalent to -v -t ANY\n"
    "       -A is like -a but omits RRSIG, NSEC, NSEC3\n"
    "       -c specifies query class for non-IN data\n"
    "       -C compares SOA records on authoritative nameservers\n"
    "       -d is equivalent to -v\n"
    "       -l lists all hosts in a domain, using AXFR\n"
    "       -m set memory debugging flag (trace|record|usage)\n"
    "       -N changes the number of dots allowed before root lookup is done\n"
    "       -p specifies the port on the server to query\n"
    "       -r disables recursive processing\n"
    "       -R specifies number of retries for UDP packets\n"
    "       -s a SERVFAIL response should stop query\n"
    "       -t specifies the query type\n"
    "       -T enables TCP/IP mode\n"
    "       -U enables UDP mode\n"
    "       -v enables verbose output\n"
    "       -V print version number and exit\n"
    "       -w specifies to wait forever for a reply\n"
    "       -W specifies how long to wait for a reply\n"
    "       -4 use IPv4 query transport only\n"
    "       -6 use IPv6 query transport only\n"
)
_HOST_FLAGS = "irsTUw46"
#: real host flags whose (verbose, zone transfer, version…) output is not simulated
_HOST_UNSIMULATED = "aACdlvV"
_HOST_ARGS = "cNptWRm"


def _host_line(rec: Record) -> str:
    owner = rec.name.rstrip(".")
    return f"{owner} {_HOST_TEXT.get(rec.rdtype, rec.rdtype)} {rec.rdata}\n"


class _HostError(Exception):
    def __init__(self, text: str, code: int = 1) -> None:
        super().__init__(text)
        self.text, self.code = text, code


def _host_options(argv: list[str]) -> tuple[str, list[str]]:
    """getopt-style parsing of host's flags; raises _HostError with host's message."""
    qtype, args = "", []
    items = list(argv)
    while items:
        arg = items.pop(0)
        if not arg.startswith("-") or arg == "-":
            args.append(arg)
            continue
        letter, rest = arg[1], arg[2:]
        if letter in _HOST_ARGS:
            value = rest or (items.pop(0) if items else "")
            if not value:
                raise _HostError(f"host: option requires an argument -- {letter}\n{HOST_USAGE}")
            if letter == "t":
                if value.upper() not in TYPES:
                    raise _HostError(f"host: invalid type: {value}\n\n", 2)
                qtype = value.upper()
        elif letter in _HOST_UNSIMULATED:
            raise _HostError(f"host: -{letter} is not simulated in the playground\n")
        elif letter not in _HOST_FLAGS:
            raise _HostError(f"host: illegal option -- {letter}\n{HOST_USAGE}")
    if not args or len(args) > 2:
        raise _HostError(HOST_USAGE)
    return qtype, args


def run_host(client: PodClient, argv: list[str]) -> CommandResult:
    """bind ``host`` with ``argv`` (without the program name)."""
    try:
        qtype, args = _host_options(argv)
    except _HostError as exc:
        return CommandResult().fail(exc.text, exc.code)
    result = CommandResult()
    server = args[1] if len(args) > 1 else client.server
    if not client.reachable(server):
        result.out(_timed_out(server, 53, 2))
        result.code = 1
        return result
    out: list[str] = []
    if len(args) > 1:
        out.append(f"Using domain server:\nName: {server}\nAddress: {server}#53\nAliases: \n\n")
    lookup = _Lookup(client, warn_ra=False)
    ptr = reverse_name(args[0])
    if ptr and qtype in ("", "PTR"):
        plan, name, search = ["PTR"], ptr + ".", False
    else:
        plan, name, search = ([qtype] if qtype else ["A", "AAAA", "MX"]), args[0], True
    for index, rdtype in enumerate(plan):
        tried, answer = lookup.run(name, rdtype, search and index == 0)
        if answer.rcode != "NOERROR":
            shown = tried if ptr and qtype in ("", "PTR") else args[0]
            out.append(f"Host {shown} not found: 3({answer.rcode})\n")
            result.code = 1
            break
        out += [_host_line(r) for r in answer.answer]
        if qtype and not answer.answer:
            out.append(f"{tried.rstrip('.')} has no {rdtype} record\n")
        name, search = tried, False
    result.out("".join(out))
    return result
