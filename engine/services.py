"""Service ClusterIP allocation, as the API server's IP allocator does it.

The service CIDR (``ClusterConfig.service_cidr``, default ``10.96.0.0/12``) is a bitmap of
addresses counted from network+1. Since KEP-3070 the range is split: the first
``min(max(16, size/16), 256)`` addresses (``10.96.0.1``–``10.96.1.0`` for a /12) form a
*static* band kept for explicitly requested IPs (kubeadm's ``kubernetes`` 10.96.0.1 and
``kube-dns`` 10.96.0.10); dynamic allocation picks a random free address of the upper band
and only falls back to the lower band when the upper one is full (k8s-semantics.md §4.1,
decision 5). The random source is ``cluster.rng("clusterip")``.

The allocator runs as a Service admission hook (create and update) and releases an address
when the store reports the Service DELETED. Errors carry the API server's messages, e.g.
``spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1:
provided IP is already allocated``.
"""

from __future__ import annotations

import ipaddress
import random
from typing import TYPE_CHECKING, Any

from engine.objects import Obj, name_of, namespace_of
from engine.store import Invalid, WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

NONE = "None"
_ALLOCATING_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")


class ClusterIPAllocator:
    """A bitmap of the service CIDR with the static/dynamic band split of the real allocator."""

    def __init__(self, cidr: str, rng: random.Random) -> None:
        self.network = ipaddress.IPv4Network(cidr)
        self._base = int(self.network.network_address) + 1
        self.size = max(0, self.network.num_addresses - 2)
        self.offset = min(max(16, self.size // 16), 256)
        self._rng = rng
        self._used: dict[int, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._used)

    def owner(self, ip: str) -> tuple[str, str] | None:
        """(namespace, name) of the Service holding ``ip``, if allocated."""
        return self._used.get(int(ipaddress.IPv4Address(ip)) - self._base)

    def contains(self, ip: str) -> bool:
        """Whether ``ip`` is an allocatable address of the range."""
        index = int(ipaddress.IPv4Address(ip)) - self._base
        return 0 <= index < self.size

    def allocate(self, ip: str, holder: tuple[str, str]) -> None:
        """Take ``ip`` for ``holder``; ValueError when taken or outside the range."""
        index = int(ipaddress.IPv4Address(ip)) - self._base
        if not 0 <= index < self.size:
            raise ValueError(
                f"the provided IP ({ip}) is not in the valid range. "
                f"The range of valid IPs is {self.network}"
            )
        if self._used.get(index, holder) != holder:
            raise ValueError("provided IP is already allocated")
        self._used[index] = holder

    def allocate_next(self, holder: tuple[str, str]) -> str:
        """A random free address of the upper band (the lower band when full)."""
        split = min(self.offset, self.size)
        for lo, hi in ((split, self.size), (0, split)):
            index = self._scan(lo, hi)
            if index is not None:
                self._used[index] = holder
                return str(ipaddress.IPv4Address(self._base + index))
        raise ValueError("range is full")

    def _scan(self, lo: int, hi: int) -> int | None:
        span = hi - lo
        if span <= 0:
            return None
        start = self._rng.randrange(span)
        for step in range(span):
            index = lo + (start + step) % span
            if index not in self._used:
                return index
        return None

    def release(self, ip: str, holder: tuple[str, str]) -> None:
        """Free ``ip`` if ``holder`` holds it."""
        try:
            index = int(ipaddress.IPv4Address(ip)) - self._base
        except ValueError:
            return
        if self._used.get(index) == holder:
            del self._used[index]


def _invalid(svc: Obj, field: str, value: str, detail: str) -> Invalid:
    prefix = f'Service "{name_of(svc)}" is invalid'
    return Invalid(f"{prefix}: {field}: Invalid value: {value}: {detail}")


def _go_list(ips: list[str]) -> str:
    return "[]string{" + ", ".join(f'"{ip}"' for ip in ips) + "}"


def _default_spec(spec: dict[str, Any]) -> None:
    """The API server's Service defaults that go with the cluster IP."""
    spec.setdefault("type", "ClusterIP")
    if spec["type"] == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if "port" in port:
            port.setdefault("targetPort", port["port"])


class ServiceIPAdmission:
    """The Service admission hook and the DELETED watcher, sharing one allocator."""

    def __init__(self, cluster: Cluster) -> None:
        self.allocator = ClusterIPAllocator(cluster.config.service_cidr, cluster.rng("clusterip"))

    def __call__(self, new: Obj, old: Obj | None) -> None:
        spec = new.setdefault("spec", {})
        _default_spec(spec)
        if spec["type"] not in _ALLOCATING_TYPES:
            return
        if old is None:
            self._on_create(new, spec)
        else:
            self._on_update(new, spec, old)

    def _requested(self, svc: Obj, spec: dict[str, Any]) -> str:
        ip = str(spec.get("clusterIP") or "")
        ips = [str(i) for i in spec.get("clusterIPs") or []]
        if ip and ips and ips[0] != ip:
            raise _invalid(
                svc,
                "spec.clusterIPs",
                _go_list(ips),
                "first value must match `clusterIP`",
            )
        return ip or (ips[0] if ips else "")

    def _on_create(self, svc: Obj, spec: dict[str, Any]) -> None:
        ip = self._requested(svc, spec)
        holder = (namespace_of(svc), name_of(svc))
        if ip == NONE:
            spec["clusterIP"], spec["clusterIPs"] = NONE, [NONE]
            return
        if not ip:
            try:
                ip = self.allocator.allocate_next(holder)
            except ValueError as exc:
                raise Invalid(
                    f"Internal error occurred: failed to allocate a serviceIP: {exc}"
                ) from exc
        else:
            self._allocate_explicit(svc, ip, holder)
        spec["clusterIP"], spec["clusterIPs"] = ip, [ip]

    def _allocate_explicit(self, svc: Obj, ip: str, holder: tuple[str, str]) -> None:
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            raise _invalid(
                svc,
                "spec.clusterIPs[0]",
                f'"{ip}"',
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ) from None
        try:
            self.allocator.allocate(ip, holder)
        except ValueError as exc:
            raise _invalid(
                svc, "spec.clusterIPs", _go_list([ip]), f"failed to allocate IP {ip}: {exc}"
            ) from None

    def _on_update(self, svc: Obj, spec: dict[str, Any], old: Obj) -> None:
        old_spec = old.get("spec") or {}
        old_ip = str(old_spec.get("clusterIP") or "")
        if not old_ip:
            self._on_create(svc, spec)
            return
        if not spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIP"] = old_ip
            spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_ip])
            return
        ip = self._requested(svc, spec)
        if ip != old_ip:
            raise _invalid(svc, "spec.clusterIPs[0]", _go_list([ip]), "may not change once set")
        spec["clusterIP"], spec["clusterIPs"] = ip, [ip]

    def on_event(self, event: WatchEvent) -> None:
        """Release the address of a deleted Service."""
        if event.type != "DELETED":
            return
        ip = str((event.obj.get("spec") or {}).get("clusterIP") or "")
        if ip and ip != NONE:
            self.allocator.release(ip, (namespace_of(event.obj), name_of(event.obj)))


def install(cluster: Cluster) -> ServiceIPAdmission:
    """Register the Service admission hook (ClusterIP allocation) on ``cluster.store``.

    Returns the hook object; its ``allocator`` tells which addresses are taken. Also attaches
    the cluster DNS zone (:func:`engine.dns.zone.zone_for`) so it sees every object.
    """
    from engine.dns.zone import zone_for

    hook = ServiceIPAdmission(cluster)
    cluster.store.add_admission("Service", hook)
    cluster.store.subscribe(hook.on_event, ["Service"])
    zone_for(cluster)  # cluster DNS watches from the start, like CoreDNS's informers
    return hook
