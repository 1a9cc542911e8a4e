"""A cluster nobody uses any more is freed.

The property tests build a cluster per sequence (500 in the suite, 20,000 in the long run), the
TUI builds a new one at every exercise reset: anything in the engine that keeps finished
clusters alive grows without bound and slows every garbage collection. The per-cluster DNS zone
and the endpoint controllers' pod feed are found through weak-key tables
(``engine.dns.zone._ZONES``, ``engine.controllers.endpoint_index._FEEDS``) whose values are weak
too: the store's subscriptions keep them alive exactly as long as their cluster.
"""

from __future__ import annotations

import gc
import weakref

from engine.cluster import Cluster
from engine.controllers.endpoint_index import pod_feed
from engine.dns.resolver import resolve
from engine.dns.zone import zone_for
from tests.reliability.workloads import busy_cluster


def dropped_cluster() -> weakref.ref[Cluster]:
    """A weak reference to a busy cluster that ran a minute and answered DNS, then dropped."""
    cluster = busy_cluster()
    cluster.advance(60)
    assert resolve(cluster, "web.default.svc.cluster.local").answer
    return weakref.ref(cluster)


def test_a_dropped_cluster_is_freed() -> None:
    ref = dropped_cluster()
    gc.collect()
    assert ref() is None


def test_the_zone_and_the_feed_live_as_long_as_their_cluster() -> None:
    cluster = busy_cluster()
    zone, feed = zone_for(cluster), pod_feed(cluster.store)
    zone_ref, feed_ref = weakref.ref(zone), weakref.ref(feed)
    del zone, feed
    gc.collect()
    assert zone_for(cluster) is zone_ref()
    assert pod_feed(cluster.store) is feed_ref()
    cluster.advance(60)  # the feed still routes pod changes: the Service gets its endpoints
    assert resolve(cluster, "web-0.web.default.svc.cluster.local").answer
    del cluster
    gc.collect()
    assert zone_ref() is None
    assert feed_ref() is None
