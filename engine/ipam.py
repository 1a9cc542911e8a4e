"""Pod IP allocation per node, the way CNI ``host-local`` IPAM hands out addresses.

Each node owns a pod CIDR (``spec.podCIDR``, e.g. ``10.244.1.0/24``). host-local keeps the last
reserved address on disk and hands out the next free one after it, wrapping at the end of the
range; the first address is the bridge gateway, so the first pod gets ``.2``. Because the search
always moves forward, an address released by a deleted pod is reused only after every address
after it has been used once — which is the project decision (k8s-semantics.md §8.4) that a
recreated pod always shows a new IP while the range has never-used addresses.

The allocator never hands out an address a live pod holds: callers pass the set of addresses in
use (taken from the store, so the rule holds even across a save/load that loses the pointer).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Container, Iterable


class RangeExhausted(RuntimeError):
    """Every address of the node's pod CIDR is held by a live pod."""


class NodeIPAM:
    """The host-local allocator of one node's pod CIDR."""

    def __init__(self, cidr: str) -> None:
        try:
            self.network = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError as exc:
            raise ValueError(f"invalid pod CIDR {cidr!r}: {exc}") from exc
        if self.network.num_addresses < 4:
            raise ValueError(f"pod CIDR {cidr!r} is too small for pods")
        base = int(self.network.network_address)
        #: first and last assignable addresses: .2 (after the gateway) … broadcast - 1
        self.first = base + 2
        self.last = base + self.network.num_addresses - 2
        self._last_reserved: int | None = None

    @property
    def seeded(self) -> bool:
        """Whether the pointer is set (:meth:`observe` has nothing left to do)."""
        return self._last_reserved is not None

    def observe(self, used: Iterable[str]) -> None:
        """Seed the pointer from addresses already in use (after a load) if none is set."""
        if self._last_reserved is not None:
            return
        ints = [int(ipaddress.IPv4Address(ip)) for ip in used if self.contains(ip)]
        if ints:
            self._last_reserved = max(ints)

    def contains(self, ip: str) -> bool:
        """Whether ``ip`` is an assignable address of this range."""
        try:
            value = int(ipaddress.IPv4Address(ip))
        except ValueError:
            return False
        return self.first <= value <= self.last

    def allocate(self, in_use: Container[str]) -> str:
        """The next free address after the last reserved one (wrapping), now reserved.
        ``in_use`` answers ``ip in in_use`` for the addresses live pods hold."""
        size = self.last - self.first + 1
        start = self.first if self._last_reserved is None else self._last_reserved + 1
        for step in range(size):
            value = start + step
            if value > self.last:
                value = self.first + (value - self.last - 1) % size
            ip = str(ipaddress.IPv4Address(value))
            if ip not in in_use:
                self._last_reserved = value
                return ip
        low = ipaddress.IPv4Address(int(self.network.network_address) + 1)
        high = ipaddress.IPv4Address(self.last)
        raise RangeExhausted(f"no IP addresses available in range set: {low}-{high}")
