"""The kubelet's table of pod runs: pod key → :class:`~engine.pod_runtime.PodRun`.

Besides the runs by key, the table keeps what IP allocation asks per node: the runs on each
node, and the pod IPs runs hold (how many runs hold each address), so "is this address taken
by a run on the node?" is one lookup. A run holds the address it was given at its first
container start (:meth:`RunTable.hold`), or the one it took over from the pod's status, until
it leaves the table.
"""

from __future__ import annotations

from typing import Any

from engine.pod_runtime import PodRun


class RunTable(dict[str, PodRun]):
    """Pod key → its run, also indexed by the run's node (IP allocation asks per node)."""

    def __init__(self) -> None:
        super().__init__()
        self._by_node: dict[str, dict[str, PodRun]] = {}
        #: node → pod IP → how many runs hold it; key → the IP its run (on its node) holds
        self._ips: dict[str, dict[str, int]] = {}
        self._held: dict[str, str] = {}

    def __setitem__(self, key: str, run: PodRun) -> None:
        if key in self:
            self._unindex(key)
        super().__setitem__(key, run)
        self._by_node.setdefault(run.node, {})[key] = run
        if run.ip:
            self.hold(key, run.ip)

    def hold(self, key: str, ip: str) -> None:
        """The run of ``key`` now has the pod IP ``ip`` (on its node)."""
        self._release(key)
        if ip:
            self._held[key] = ip
            ips = self._ips.setdefault(self[key].node, {})
            ips[ip] = ips.get(ip, 0) + 1

    def ip_taken(self, node: str, ip: str) -> bool:
        """Whether a run on ``node`` holds ``ip``."""
        return ip in self._ips.get(node, ())

    def _release(self, key: str) -> None:
        """Drop what the run now under ``key`` holds (call before it leaves the table)."""
        ip = self._held.pop(key, None)
        if ip is not None:
            node = self[key].node
            ips = self._ips[node]
            ips[ip] -= 1
            if not ips[ip]:
                del ips[ip]
                if not ips:
                    del self._ips[node]

    def __delitem__(self, key: str) -> None:
        self._unindex(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        """dict.pop, keeping the node index."""
        if key in self:
            self._unindex(key)
        return super().pop(key, *default)

    def on_node(self, node: str) -> list[PodRun]:
        """The runs on ``node``."""
        return list(self._by_node.get(node, {}).values())

    def _unindex(self, key: str) -> None:
        self._release(key)
        runs = self._by_node.get(self[key].node)
        if runs is not None:
            runs.pop(key, None)
            if not runs:
                del self._by_node[self[key].node]
