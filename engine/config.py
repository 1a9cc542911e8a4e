"""Per-cluster simulation settings (k8s-semantics.md §8.7 defaults)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Timings:
    """Simulated durations in seconds. Demos and exercises may override any of them."""

    #: scheduler reaction (0: at once, as the real one within milliseconds)
    schedule: float = 0.0
    #: image pull (ContainerCreating) for an image not yet on the node
    image_pull: float = 2.0
    #: container start after the pull
    container_start: float = 1.0
    #: Running → Ready when the pod has no readinessProbe initialDelaySeconds
    ready_after: float = 2.0
    #: how long a container takes to exit after SIGTERM (capped by the grace period)
    container_stop: float = 5.0
    #: node stops answering → NotReady (node-monitor-grace-period)
    node_not_ready: float = 40.0
    #: NotReady → pods evicted (default not-ready toleration)
    eviction: float = 300.0
    #: first ErrImagePull → ImagePullBackOff
    image_pull_backoff: float = 10.0
    #: CrashLoopBackOff base delay and cap (kubelet: 10 s doubling to 300 s)
    crash_backoff_base: float = 10.0
    crash_backoff_cap: float = 300.0
    #: a crashed container is seen as exited after this long
    crash_detect: float = 1.0
    #: external provisioner: claim seen → PersistentVolume created (0: within the same
    #: reaction, so pods never see their Immediate claim unbound)
    provision: float = 1.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timings:
        """Build from ``{field: seconds}``; unknown names raise ValueError."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown timing(s): {', '.join(unknown)}")
        return cls(**{k: float(v) for k, v in data.items()})


@dataclass
class ClusterConfig:
    """Shape of a new cluster."""

    seed: int = 0
    nodes: int = 3
    node_capacity: int = 110
    timings: Timings | None = None
    cluster_domain: str = "cluster.local"
    service_cidr: str = "10.96.0.0/12"
    dns_ip: str = "10.96.0.10"
    #: pods the cluster may hold (engine/pod_quota.py); None: no limit
    max_pods: int | None = 20_000
