"""What a DNS client in a pod sees: its resolv.conf, the search list, and the server.

A :class:`PodClient` stands for a ClusterFirst pod in a namespace (KUBELET-DNS): nameserver
``10.96.0.10``, search ``<ns>.svc.cluster.local svc.cluster.local cluster.local``,
``options ndots:5``. Tools send their queries through :meth:`PodClient.query`, which asks the
cluster's resolver (one :class:`~engine.dns.resolver.Resolver` per command, so the shuffle
draws follow the order of the queries) and records every query for tests and the app.

The only reachable name server is the cluster DNS Service IP; any other server a tool is
pointed at never answers (the playground is a closed network), which the tools report as
their real timeouts.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.dns.records import Answer
from engine.dns.resolver import Resolver

if TYPE_CHECKING:
    from engine.cluster import Cluster

NDOTS = 5


def search_list(cluster: Cluster, namespace: str) -> list[str]:
    """The kubelet's search list for a ClusterFirst pod in ``namespace``."""
    domain = cluster.config.cluster_domain.strip(".")
    return [f"{namespace}.svc.{domain}", f"svc.{domain}", domain]


def resolv_conf_text(cluster: Cluster, namespace: str) -> str:
    """/etc/resolv.conf as the kubelet writes it for a ClusterFirst pod."""
    return (
        f"search {' '.join(search_list(cluster, namespace))}\n"
        f"nameserver {cluster.config.dns_ip}\n"
        f"options ndots:{NDOTS}\n"
    )


def reverse_name(text: str) -> str | None:
    """``10.244.1.10`` → ``10.1.244.10.in-addr.arpa`` (IPv6 → ip6.arpa); None if not an IP."""
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    return addr.reverse_pointer


@dataclass
class PodClient:
    """A resolver client in a pod of ``namespace``."""

    cluster: Cluster
    namespace: str = "default"
    sent: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = self.cluster.config.dns_ip
        self.search = search_list(self.cluster, self.namespace)
        self.ndots = NDOTS
        self._resolver = Resolver(self.cluster)

    def reachable(self, server: str) -> bool:
        """Whether a name server address answers (only the cluster DNS does)."""
        return server == self.server

    def query(self, name: str, qtype: str) -> Answer:
        """Send one query (name as given, made absolute) and return the reply."""
        self.sent.append((name, qtype))
        return self._resolver.resolve(name, qtype)

    def candidates(self, name: str, ndots: int | None = None) -> list[str]:
        """bind's search order: with fewer than ndots dots, every search suffix, then the
        name as is; otherwise (or with a trailing dot) only the name as is."""
        if name.endswith(".") or name.count(".") >= (self.ndots if ndots is None else ndots):
            return [name]
        return [*(f"{name}.{domain}" for domain in self.search), name]
