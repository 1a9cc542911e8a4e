"""statefulset-playground engine: a tiny Kubernetes in one process (pure asyncio, no UI)."""

from engine.clock import Clock, RealClock, VirtualClock
from engine.cluster import Cluster
from engine.config import ClusterConfig, Timings
from engine.store import Store, WatchEvent

__all__ = [
    "Clock",
    "Cluster",
    "ClusterConfig",
    "RealClock",
    "Store",
    "Timings",
    "VirtualClock",
    "WatchEvent",
]
