"""busybox ``nslookup`` (≥1.36, glibc build, the "big" LEDE implementation), exactly.

Query plan (BB ``nslookup_main``, ``add_query_with_search``; k8s-semantics.md §6.1, §5.6):

* options come first: ``-type=``/``-querytype=`` (any unique prefix: ``-q=``, ``-ty=``,
  ``-query=``), ``-debug``, ``-port=``, ``-retry=``, ``-t=``/``-timeout=``; an unknown or
  ambiguous option prints the usage;
* no type: an IP argument becomes one PTR query, anything else A then AAAA;
* the search list (read from resolv.conf only when no server argument is given) applies to
  names **without a dot**, and then every suffix is queried — never the bare name; a dotted
  name is sent as is (so ``web-0.nginx`` is NXDOMAIN: no ndots here);
* all queries go out at once and replies print in order: the ``Server:``/``Address:`` header
  before the first, then per reply ``** server can't find <q>: NXDOMAIN`` or its answer RRs
  (NODATA prints nothing), then a blank line. Exit status 1 if any reply had an error rcode.
"""

from __future__ import annotations

from engine.dns.client import PodClient, reverse_name
from engine.dns.records import Answer, Record
from engine.result import CommandResult

BANNER = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."
USAGE = (
    f"{BANNER}\n"
    "\n"
    "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n"
    "\n"
    "Query DNS about HOST\n"
    "\n"
    "QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n"
)
#: the applet's qtypes table, in its order (several -type options are queried in this order)
QTYPES = ("SOA", "NS", "A", "AAAA", "CNAME", "MX", "TXT", "PTR", "SRV", "ANY")
_OPTIONS = ("type", "querytype", "port", "retry", "debug", "t", "timeout")
_RANGES = {"port": 0xFFFF, "retry": 2**31 - 1, "t": 2**31 // 1000 - 1}


class _Exit(Exception):
    def __init__(self, result: CommandResult) -> None:
        self.result = result


def _option_index(key: str) -> int:
    """BB ``index_in_substrings``: exact match wins, else a unique prefix, else -1."""
    if not key:
        return -1
    matched = -1
    for idx, name in enumerate(_OPTIONS):
        if name.startswith(key):
            if name == key:
                return idx
            if matched >= 0:
                return -1
            matched = idx
    return matched


def _number(value: str, upper: int) -> None:
    if not value.isdigit():
        raise _Exit(CommandResult().fail(f"nslookup: invalid number '{value}'\n"))
    if not 1 <= int(value) <= upper:
        raise _Exit(CommandResult().fail(f"nslookup: number {value} is not in 1..{upper} range\n"))


def _parse(argv: list[str]) -> tuple[list[str], bool, int, list[str]]:
    types: set[str] = set()
    debug = False
    port = 53
    args = list(argv)
    while True:
        if not args:
            raise _Exit(CommandResult().fail(USAGE))
        if not args[0].startswith("-"):
            break
        key, _, value = args.pop(0)[1:].partition("=")
        idx = _option_index(key)
        if idx < 0:
            raise _Exit(CommandResult().fail(USAGE))
        option = _OPTIONS[idx]
        if option in ("type", "querytype"):
            if value.upper() not in QTYPES:
                raise _Exit(CommandResult().fail(f'nslookup: invalid query type "{value}"\n'))
            types.add(value.upper())
        elif option == "debug":
            debug = True
        else:
            _number(value, _RANGES["t" if option == "timeout" else option])
            port = int(value) if option == "port" else port
    if len(args) > 2:
        raise _Exit(CommandResult().fail(USAGE))
    return [t for t in QTYPES if t in types], debug, port, args


def _queries(client: PodClient, host: str, types: list[str], search: bool) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    if not types:
        ptr = reverse_name(host)
        if ptr is not None:
            return [(ptr, "PTR")]
        types = ["A", "AAAA"]
    for qtype in types:
        if qtype == "PTR" or not search or "." in host:
            plan.append((host, qtype))
        else:
            plan += [(f"{host}.{domain}", qtype) for domain in client.search]
    return plan


def format_record(rec: Record) -> str:
    """One answer RR the way ``parse_reply`` prints it (names without the trailing dot)."""
    owner = rec.name.rstrip(".")
    data = rec.rdata
    if rec.rdtype in ("A", "AAAA"):
        return f"Name:\t{owner}\nAddress: {data}\n"
    if rec.rdtype in ("NS", "CNAME", "PTR"):
        label = {"NS": "nameserver", "CNAME": "canonical name", "PTR": "name"}[rec.rdtype]
        return f"{owner}\t{label} = {data.rstrip('.')}\n"
    if rec.rdtype == "MX":
        pref, host = data.split()
        return f"{owner}\tmail exchanger = {pref} {host.rstrip('.')}\n"
    if rec.rdtype == "TXT":
        return f"{owner}\ttext = {data}\n"
    if rec.rdtype == "SRV":
        prio, weight, port, target = data.split()
        return f"{owner}\tservice = {prio} {weight} {port} {target.rstrip('.')}\n"
    if rec.rdtype == "SOA":
        mname, rname, serial, refresh, retry, expire, minimum = data.split()
        return (
            f"{owner}\n\torigin = {mname.rstrip('.')}\n\tmail addr = {rname.rstrip('.')}\n"
            f"\tserial = {serial}\n\trefresh = {refresh}\n\tretry = {retry}\n"
            f"\texpire = {expire}\n\tminimum = {minimum}\n"
        )
    return ""


def _reply_text(index: int, name: str, answer: Answer, debug: bool) -> str:
    text = f"Query #{index} completed in 0ms:\n" if debug else ""
    if answer.rcode != "NOERROR":
        return text + f"** server can't find {name}: {answer.rcode}\n\n"
    if not answer.aa:
        text += "Non-authoritative answer:\n"
    elif debug:
        text += "authoritative answer:\n"
    return text + "".join(format_record(r) for r in answer.answer) + "\n"


def run(client: PodClient, argv: list[str]) -> CommandResult:
    """Run busybox ``nslookup`` with ``argv`` (without the program name)."""
    try:
        types, debug, port, args = _parse(argv)
    except _Exit as stop:
        return stop.result
    host = args[0]
    server = args[1] if len(args) > 1 else client.server
    plan = _queries(client, host, types, search=len(args) == 1)
    result = CommandResult()
    if port != 53 or not client.reachable(server):
        result.out(";; connection timed out; no servers could be reached\n\n")
        result.code = 1
        return result
    out = [f"Server:\t\t{server}\nAddress:\t{server}:{port}\n\n"]
    for index, (name, qtype) in enumerate(plan):
        answer = client.query(name, qtype)
        if answer.rcode != "NOERROR":
            result.code = 1
        out.append(_reply_text(index, name, answer, debug))
    result.out("".join(out))
    return result
