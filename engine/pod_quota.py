"""The playground's pod quota: a cluster holds at most ``ClusterConfig.max_pods`` pods.

A real cluster asked for ``--replicas=2147483647`` creates pods until something stops it:
a ResourceQuota, the API server's rate limits, etcd's size. The playground runs in one
process, so without a bound such a request would freeze the app and eat the machine's memory.
This admission check is that bound, and it behaves like a ResourceQuota on ``pods``: a create
past the limit is refused with the quota admission plugin's message::

    pods "web-20000" is forbidden: exceeded quota: playground, requested: pods=1,
    used: pods=20000, limited: pods=20000

so the workload controllers record ``FailedCreate`` events and retry later, exactly as they do
against a real quota, and deleting pods (or scaling down) lets them go on. Updates and deletes
are never limited. The default (20,000) is far above what the playground is meant to show (the
benchmarks run 10,000 pods).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.objects import Obj
from engine.store import StoreError

if TYPE_CHECKING:
    from engine.cluster import Cluster

#: the name the refusal gives the quota
QUOTA_NAME = "playground"


class QuotaExceeded(StoreError):
    """A pod create past the playground's pod quota."""

    reason = "Forbidden"


def install(cluster: Cluster) -> None:
    """Refuse pod creates once the cluster holds ``cluster.config.max_pods`` pods."""
    store = cluster.store

    def hook(new: Obj, old: Obj | None) -> None:
        limit = cluster.config.max_pods
        if old is not None or limit is None:
            return
        used = store.count("Pod")
        if used >= limit:
            name = (new.get("metadata") or {}).get("name") or ""
            raise QuotaExceeded(
                f'pods "{name}" is forbidden: exceeded quota: {QUOTA_NAME}, '
                f"requested: pods=1, used: pods={used}, limited: pods={limit}"
            )

    store.add_admission("Pod", hook)
