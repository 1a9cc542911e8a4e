"""Answering one query the way CoreDNS with the kubeadm Corefile does (k8s-semantics.md §5).

The ``kubernetes`` plugin serves ``cluster.local``, ``in-addr.arpa`` and ``ip6.arpa``
(CDNS ``handler.go``, ``kubernetes.go``, ``parse.go``, ``reverse.go``, ``backend_lookup.go``):

* a name is parsed as ``[_port._proto.|endpoint.]service.namespace.svc|pod.<zone>``; more
  labels, or a last label other than ``svc``/``pod``, is NXDOMAIN;
* a lookup yields "service entries" (an address or an external name, a port, the target
  name); the query type turns them into records: A (deduplicated), SRV (weights
  ``floor(100/N)``, targets' A records in the additional section), PTR, CNAME, TXT
  (``dns-version`` only), SOA, NS; any other type does a fake A lookup so that an existing
  name gives NODATA and a missing one NXDOMAIN;
* every answer is authoritative (AA) without RA; TTL 30 (kubeadm ``ttl 30``); negative answers
  carry the zone's SOA ``ns.dns.<zone>. hostmaster.<zone>. <serial> 7200 1800 86400 30``;
* A/AAAA records of every section are shuffled per query (the ``loadbalance`` plugin) from
  ``cluster.rng("dns")``; SRV order is kept.

**Names outside the cluster zones** (and reverse names no Service or endpoint matches, which
the plugin passes on with ``fallthrough``) go to ``forward . /etc/resolv.conf``. The
playground has no upstream; it answers as an upstream resolver that knows no other names
would: NXDOMAIN, not authoritative, recursion available, no authority records. So
``nslookup example.com`` and the reverse lookup of a recreated pod's old IP both end in
``server can't find …: NXDOMAIN``, as the latter does on a real cluster.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from engine.dns.records import TTL, Answer, Record
from engine.dns.shuffle import shuffle
from engine.dns.zone import ClusterZone, Endpoint, ip_version, zone_for
from engine.objects import Obj, name_of, namespace_of

if TYPE_CHECKING:
    from engine.cluster import Cluster

__all__ = ["TTL", "NoSuchName", "Resolver", "ip_version", "parse_request", "resolve"]

VERSION_TTL = 28800
SCHEMA_VERSION = "1.1.0"
REVERSE_ZONES = ("in-addr.arpa", "ip6.arpa")
#: answers the zone remembers between changes (it forgets them all when full)
ANSWER_CACHE_SIZE = 4096


class NoSuchName(Exception):
    """The name does not exist (CoreDNS errNoItems / errInvalidRequest / errNsNotExposed)."""


class Entry(NamedTuple):
    """A CoreDNS ``msg.Service``: an address or external name, a port, the target name."""

    host: str
    port: int
    target: str  # absolute, lowercase, trailing dot

    @property
    def is_ip(self) -> bool:
        """The host is an address (else an ExternalName)."""
        return ip_version(self.host) != 0


class Request(NamedTuple):
    """A parsed cluster-zone name (CDNS ``recordRequest``)."""

    pod_or_svc: str = ""
    namespace: str = ""
    service: str = ""
    endpoint: str = ""
    port: str = ""
    protocol: str = ""


def parse_request(base: str) -> Request:
    """Parse the labels left of the zone; raises :class:`NoSuchName` when too long/invalid."""
    if base in ("", "svc", "pod"):
        return Request()
    segs = base.split(".")
    kind = segs.pop()
    if kind not in ("svc", "pod"):
        raise NoSuchName(base)
    if not segs:
        return Request(kind)
    namespace = segs.pop()
    if not segs:
        return Request(kind, namespace)
    service = segs.pop()
    if not segs:
        return Request(kind, namespace, service)
    if len(segs) == 1:
        return Request(kind, namespace, service, endpoint=segs[0])
    if len(segs) == 2:
        port, protocol = (s.removeprefix("_") for s in segs)
        return Request(kind, namespace, service, port=port, protocol=protocol)
    raise NoSuchName(base)


def _match(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _port_matches(req: Request, name: str, protocol: str) -> bool:
    return (not req.port or _match(req.port, name)) and (
        not req.protocol or _match(req.protocol, protocol)
    )


class Resolver:
    """CoreDNS's kubernetes plugin over a :class:`ClusterZone`."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.zone: ClusterZone = zone_for(cluster)
        self.domain = self.zone.domain
        self._rng = cluster.rng("dns")
        self._zones = tuple((z, "." + z) for z in (self.domain, *REVERSE_ZONES))

    # -- entry point ----------------------------------------------------------------------
    def resolve(self, qname: str, qtype: str = "A") -> Answer:
        """Answer ``qname`` (any case; trailing dot optional) for record type ``qtype``."""
        qname = qname if qname.endswith(".") else qname + "."
        qtype = qtype.upper()
        zone = self._zone_of(qname)
        if zone is None:
            return _upstream(qname, qtype)
        answer = self._answer(qname, qtype, zone)
        if answer is None:
            return _upstream(qname, qtype)
        self._shuffle(answer)
        return answer

    def _zone_of(self, qname: str) -> str | None:
        lower = qname.lower().rstrip(".")
        for zone, dotted in self._zones:
            if lower.endswith(dotted) or lower == zone:
                return qname.rstrip(".")[len(qname) - 1 - len(zone) :]
        return None

    def _answer(self, qname: str, qtype: str, zone: str) -> Answer | None:
        reverse = zone.lower() in REVERSE_ZONES
        try:
            records, extra = self._cached_records(qname, qtype, zone)
        except NoSuchName:
            if reverse:
                return None  # fallthrough in-addr.arpa ip6.arpa → forward
            return self._negative(qname, qtype, zone, "NXDOMAIN")
        if not records:
            return self._negative(qname, qtype, zone, "NOERROR")
        return Answer(qname, qtype, answer=list(records), additional=list(extra))

    def _cached_records(
        self, qname: str, qtype: str, zone: str
    ) -> tuple[list[Record], list[Record]]:
        """:meth:`_records`, remembered in the zone until its next change (records are
        immutable; the caller copies the lists before shuffling)."""
        key = (qname, qtype, zone)
        cached = self.zone.answers.get(key)
        if cached is None:
            try:
                cached = self._records(qname, qtype, zone)
            except NoSuchName as exc:
                cached = exc
            if len(self.zone.answers) >= ANSWER_CACHE_SIZE:
                self.zone.answers.clear()
            self.zone.answers[key] = cached
        if isinstance(cached, NoSuchName):
            raise NoSuchName(*cached.args)  # a fresh one: a re-raise would grow its traceback
        return cached

    def _negative(self, qname: str, qtype: str, zone: str, rcode: str) -> Answer:
        return Answer(qname, qtype, rcode=rcode, authority=[self.soa(zone)])

    def soa(self, zone: str) -> Record:
        """The zone's SOA as CoreDNS builds it (serial = last change, minimum = TTL)."""
        zone_l = zone.lower()
        rdata = f"ns.dns.{zone_l}. hostmaster.{zone_l}. {self.zone.modified} 7200 1800 86400 {TTL}"
        return Record(zone + ".", TTL, "SOA", rdata)

    # -- record types ---------------------------------------------------------------------
    def _records(self, qname: str, qtype: str, zone: str) -> tuple[list[Record], list[Record]]:
        if qtype == "A":
            return self._addresses(qname, zone), []
        if qtype == "AAAA":
            return [r for r in self._addresses(qname, zone) if r.rdtype == "CNAME"], []
        if qtype == "TXT":
            return self._txt(qname, zone), []
        if qtype == "SRV":
            return self._srv(qname, zone)
        if qtype == "PTR":
            return self._ptr(qname, zone), []
        if qtype == "SOA":
            return [self.soa(zone)], []
        if qtype == "CNAME":
            entries = self._entries(qname, zone)
            return [Record(qname, TTL, "CNAME", e.host) for e in entries[:1] if not e.is_ip], []
        if qtype == "NS" and qname.lower().rstrip(".") == zone.lower():
            ns = f"kube-dns.kube-system.svc.{self.domain}."
            return [Record(qname, TTL, "NS", ns)], [Record(ns, TTL, "A", self.zone.dns_ip)]
        self._addresses(qname, zone)  # fake A lookup: NXDOMAIN or NODATA
        return [], []

    def _addresses(self, qname: str, zone: str) -> list[Record]:
        fast = self._endpoint_addresses(qname, zone)
        if fast is not None:
            return fast
        records: list[Record] = []
        seen: set[str] = set()
        for entry in self._entries(qname, zone):
            if not entry.is_ip:
                records += self._cname_chain(qname, entry.host, zone)
            elif ip_version(entry.host) == 4 and entry.host not in seen:
                seen.add(entry.host)
                records.append(Record(qname, TTL, "A", entry.host))
        return records

    def _endpoint_addresses(self, qname: str, zone: str) -> list[Record] | None:
        """A records of a headless Service's or an endpoint's name, from the endpoints the
        zone keeps (their records built when their slice changed): what :meth:`_addresses`
        answers for those names, without an entry per endpoint. None for any other name, or
        when an address is no IP; the general path answers those."""
        labels = self._base(qname, zone).split(".")
        if len(labels) not in (3, 4) or labels[-1] != "svc" or zone.lower() in REVERSE_ZONES:
            return None
        namespace, service = labels[-2], labels[-3]
        endpoint = labels[0] if len(labels) == 4 else ""
        if namespace not in self.zone.namespaces:
            raise NoSuchName(qname)
        svc = self.zone.service(namespace, service)
        if svc is None:
            raise NoSuchName(service)
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return None
        if not endpoint:
            if spec.get("clusterIP") != "None":
                return None
            return self._service_addresses(qname, namespace, service)
        return self._named_addresses(qname, namespace, service, endpoint)

    def _service_addresses(self, qname: str, namespace: str, service: str) -> list[Record] | None:
        records = self.zone.service_addresses(namespace, service)
        if records is None:
            return None
        if not records:
            if next(self.zone.endpoints(namespace, service), None) is None:
                raise NoSuchName(service)
            return []  # IPv6 endpoints only: the name exists, without A records
        if records[0].name != qname:  # asked in other letter case: answer with its name
            records = [Record(qname, TTL, "A", r.rdata) for r in records]
        return records

    def _named_addresses(
        self, qname: str, namespace: str, service: str, endpoint: str
    ) -> list[Record] | None:
        endpoints = self.zone.endpoints_named(namespace, service, endpoint)
        if not endpoints:
            raise NoSuchName(service)
        records: list[Record] = []
        for ep in endpoints:
            if ep.version != 4:
                if not ep.version:
                    return None
                continue
            records.append(Record(qname, TTL, "A", ep.ip))
        return list(dict.fromkeys(records))

    def _cname_chain(self, qname: str, target: str, zone: str) -> list[Record]:
        """An ExternalName's CNAME, followed inside the zone (an outside target is left to
        the client: the playground's upstream knows no names)."""
        cname = Record(qname, TTL, "CNAME", target)
        if not target.lower().endswith(f".{self.domain}."):
            return [cname]
        try:
            chained = self._addresses(target, zone)
        except NoSuchName:
            return []
        return [cname, *chained] if chained else []

    def _txt(self, qname: str, zone: str) -> list[Record]:
        base = self._base(qname, zone)
        if base == "dns-version":
            return [Record(qname, VERSION_TTL, "TXT", f'"{SCHEMA_VERSION}"')]
        return []

    def _srv(self, qname: str, zone: str) -> tuple[list[Record], list[Record]]:
        entries = [e for e in self._entries(qname, zone) if e.is_ip and e.port != -1]
        if not entries:
            return [], []
        weight = max(1, 100 // len(entries))
        records: list[Record] = []
        extra: list[Record] = []
        seen_srv: set[tuple[str, int]] = set()
        seen_addr: set[tuple[str, str]] = set()
        for e in entries:
            if (e.target, e.port) not in seen_srv:
                seen_srv.add((e.target, e.port))
                records.append(Record(qname, TTL, "SRV", f"0 {weight} {e.port} {e.target}"))
            if (e.target, e.host) not in seen_addr:
                seen_addr.add((e.target, e.host))
                extra.append(Record(e.target, TTL, "A", e.host))
        return records, extra

    def _ptr(self, qname: str, zone: str) -> list[Record]:
        ip = _address_from_reverse(qname)
        if ip is None:
            raise NoSuchName(qname)
        targets: list[str] = []
        for svc in self.zone.services_by_vip(ip):
            targets = [f"{name_of(svc)}.{namespace_of(svc)}.svc.{self.domain}."]
            break
        else:
            for ns, service, ep in self.zone.names_by_ip(ip):
                target = f"{ep}.{service}.{ns}.svc.{self.domain}."
                if target not in targets:
                    targets.append(target)
        if not targets:
            raise NoSuchName(qname)
        return [Record(qname, TTL, "PTR", t) for t in targets]

    # -- service entries ------------------------------------------------------------------
    def _base(self, qname: str, zone: str) -> str:
        lower = qname.lower().rstrip(".")
        return lower[: -len(zone)].rstrip(".") if lower != zone.lower() else ""

    def _entries(self, qname: str, zone: str) -> list[Entry]:
        base = self._base(qname, zone)
        if zone.lower() in REVERSE_ZONES:
            raise NoSuchName(qname)
        if base == "ns.dns":
            return [Entry(self.zone.dns_ip, -1, f"ns.dns.{self.domain}.")]
        req = parse_request(base)
        if not req.pod_or_svc:
            return []
        if req.namespace not in self.zone.namespaces:
            raise NoSuchName(qname)
        if req.pod_or_svc == "pod":
            return self._pod_entries(req)
        return self._service_entries(req)

    def _pod_entries(self, req: Request) -> list[Entry]:
        if not req.service:
            return []
        name = req.service
        if name.count("-") == 3 and "--" not in name:
            ip = name.replace("-", ".")
        else:
            ip = name.replace("-", ":")
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise NoSuchName(name) from None
        return [Entry(ip, -1, f"{name}.{req.namespace}.pod.{self.domain}.")]

    def _service_entries(self, req: Request) -> list[Entry]:
        if not req.service:
            return []
        svc = self.zone.service(req.namespace, req.service)
        if svc is None:
            raise NoSuchName(req.service)
        spec = svc.get("spec") or {}
        fqdn = f"{name_of(svc)}.{namespace_of(svc)}.svc.{self.domain}."
        if spec.get("type") == "ExternalName":
            if req.endpoint:
                raise NoSuchName(req.endpoint)
            external = str(spec.get("externalName", "")).rstrip(".") + "."
            return [Entry(external, -1, external)]
        if spec.get("clusterIP") == "None" or req.endpoint:
            return self._endpoint_entries(svc, req)
        entries = []
        for port in spec.get("ports") or []:
            if not _port_matches(req, str(port.get("name") or ""), port.get("protocol", "TCP")):
                continue
            for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
                entries.append(Entry(str(ip), int(port["port"]), fqdn))
        if not entries:
            raise NoSuchName(req.service)
        return entries

    def _endpoint_entries(self, svc: Obj, req: Request) -> list[Entry]:
        ns, name = namespace_of(svc), name_of(svc)
        entries = []
        if req.endpoint:
            endpoints: Iterable[Endpoint] = self.zone.endpoints_named(ns, name, req.endpoint)
        else:
            endpoints = self.zone.endpoints(ns, name)
        for ep in endpoints:
            for port_name, port, protocol in ep.ports:
                if not _port_matches(req, port_name, protocol):
                    continue
                entries.append(Entry(ep.ip, port, f"{ep.name}.{name}.{ns}.svc.{self.domain}."))
        if not entries:
            raise NoSuchName(name)
        return entries

    # -- loadbalance ----------------------------------------------------------------------
    def _shuffle(self, answer: Answer) -> None:
        """Address records shuffled, after the CNAMEs and then the other records."""
        for section in (answer.answer, answer.authority, answer.additional):
            if len(section) < 2:
                continue
            addresses = [r for r in section if r.rdtype == "A" or r.rdtype == "AAAA"]
            if len(addresses) < 2:
                continue
            shuffle(self._rng, addresses)
            if len(addresses) == len(section):
                section[:] = addresses
                continue
            others = [r for r in section if r.rdtype != "A" and r.rdtype != "AAAA"]
            cnames = [r for r in others if r.rdtype == "CNAME"]
            rest = [r for r in others if r.rdtype != "CNAME"]
            section[:] = cnames + rest + addresses


def _address_from_reverse(qname: str) -> str | None:
    labels = qname.lower().rstrip(".").split(".")
    if labels[-2:] == ["in-addr", "arpa"] and len(labels) == 6:
        try:
            return str(ipaddress.IPv4Address(".".join(reversed(labels[:4]))))
        except ValueError:
            return None
    if labels[-2:] == ["ip6", "arpa"] and len(labels) == 34:
        nibbles = "".join(reversed(labels[:32]))
        try:
            return str(ipaddress.IPv6Address(int(nibbles, 16)))
        except ValueError:
            return None
    return None


def _upstream(qname: str, qtype: str) -> Answer:
    """The playground's stand-in for ``forward``: a resolver that knows no outside names."""
    return Answer(qname, qtype, rcode="NXDOMAIN", aa=False, ra=True)


def resolve(cluster: Cluster, qname: str, qtype: str = "A") -> Answer:
    """Answer one query against ``cluster``'s DNS (see :class:`Resolver`)."""
    return Resolver(cluster).resolve(qname, qtype)
