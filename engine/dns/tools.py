"""The DNS client tools of the command language: ``nslookup``, ``dig``, ``host``.

Each runs as if inside a ClusterFirst pod in ``namespace`` (its /etc/resolv.conf is
:func:`resolv_conf`) and prints exactly what the real tool prints against CoreDNS:

* ``nslookup`` is busybox's (decision 2; :mod:`engine.dns.render_busybox`) unless
  ``flavor="bind"`` (:mod:`engine.dns.render_bind`);
* ``dig`` and ``host`` are bind 9.18's (:mod:`engine.dns.dig`, :mod:`engine.dns.render_bind`).

argv never includes the program name. Answers come from :mod:`engine.dns.resolver`; the
structured API for other callers is :func:`engine.dns.resolver.resolve`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.dns import dig, render_bind, render_busybox
from engine.dns.client import PodClient, resolv_conf_text
from engine.result import CommandResult

if TYPE_CHECKING:
    from engine.cluster import Cluster

FLAVORS = ("busybox", "bind")


def _client(cluster: Cluster, namespace: str) -> PodClient:
    return PodClient(cluster, namespace)


def run_nslookup(
    cluster: Cluster, argv: list[str], namespace: str = "default", flavor: str = "busybox"
) -> CommandResult:
    """Run ``nslookup`` (argv without the program name) from a pod in ``namespace``."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown nslookup flavor {flavor!r} (expected busybox or bind)")
    client = _client(cluster, namespace)
    if flavor == "bind":
        return render_bind.run_nslookup(client, argv)
    return render_busybox.run(client, argv)


def run_dig(cluster: Cluster, argv: list[str], namespace: str = "default") -> CommandResult:
    """Run bind's ``dig`` from a pod in ``namespace``."""
    return dig.run(_client(cluster, namespace), argv)


def run_host(cluster: Cluster, argv: list[str], namespace: str = "default") -> CommandResult:
    """Run bind's ``host`` from a pod in ``namespace``."""
    return render_bind.run_host(_client(cluster, namespace), argv)


def resolv_conf(cluster: Cluster, namespace: str) -> str:
    """The /etc/resolv.conf the kubelet writes for a ClusterFirst pod in ``namespace``."""
    return resolv_conf_text(cluster, namespace)
