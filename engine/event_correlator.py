"""client-go's ``EventCorrelator``: what a core/v1 event recorder does before writing an Event.

Every component that records events through ``k8s.io/client-go/tools/record`` (the
kube-controller-manager's controllers, the kubelet, the storage sidecars) sends each event
through ``EventCorrelator.EventCorrelate`` (``tools/record/events_cache.go``), in this order:

1. **Aggregate** (``EventAggregatorByReasonFunc``). Events that differ only in their message
   form a group: source component and host, involvedObject kind, namespace, name, uid and
   apiVersion, type, reason, reportingController, reportingInstance. The group remembers the
   distinct messages seen since its last event; a gap of more than 600 s starts it afresh. Once
   it holds 10 distinct messages the event is replaced by an *aggregate* event with the message
   ``(combined from similar events): <message>`` whose key is the group's, so every later one
   counts on that one Event. One remembered message is then forgotten (Go pops any key of a
   map: a random one, drawn here from the recorder's seeded random source), so a repeat of a
   still-remembered message goes back to its own Event.
2. **Observe** (``eventLogger``). The event's key (the group's key for an aggregate event, the
   full key with fieldPath and message otherwise) finds the name, count and firstTimestamp of
   the Event it repeats: the event takes that name and firstTimestamp and count + 1, and is
   written as a patch of ``count``, ``lastTimestamp`` and ``message`` (nothing else of the
   stored Event changes). The cache is updated *before* the filter below, so the count of an
   event the filter drops is not lost: the next one written jumps past it.
3. **Filter** (``EventSourceObjectSpamFilter``). A token bucket per source and involved object
   (component, host, kind, namespace, name, uid, apiVersion): 25 tokens, refilled at one per
   300 s (client-go's ``float32`` rate, 1/300 rounded), on the cluster's clock. An event that
   finds no token is dropped: not written at all.

The constants, keys and order are those of the newest client-go stored (``k8s.io/utils/clock``
passive clocks, ``NewTokenBucketPassiveRateLimiterWithClock``); a proposal to spam-filter only
patches (kubernetes#125084) was closed unmerged, so creates are filtered too.

Keys are the strings client-go builds (the fields joined with no separator), so the state dumps
to JSON as it is. Each cache is an LRU of 4096 entries, as client-go's, one correlator per
recording process (a controller's broadcaster, a node's kubelet).
"""

from __future__ import annotations

import random
import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from engine.objects import Obj

#: client-go's ``maxLruCacheEntries``: each cache forgets its least recently used key beyond this.
LRU_SIZE = 4096
#: distinct messages in a group within the interval before events are aggregated
AGGREGATE_MAX_EVENTS = 10
#: seconds since a group's last event after which it starts afresh
AGGREGATE_INTERVAL = 600.0
#: the prefix of an aggregate event's message (``EventAggregatorByReasonMessageFunc``)
AGGREGATE_PREFIX = "(combined from similar events): "
#: events a source may burst about one object
SPAM_BURST = 25
#: token refill rate per second: ``1. / 300.`` as the ``float32`` client-go passes on
SPAM_QPS: float = struct.unpack("f", struct.pack("f", 1.0 / 300.0))[0]

V = TypeVar("V")
_INTERVAL_NS = round(AGGREGATE_INTERVAL * 1e9)


def _ns(t: float) -> int:
    """``t`` seconds as integer nanoseconds (Go's ``time.Time`` resolution)."""
    return round(t * 1e9)


class LRU(Generic[V]):
    """groupcache's ``lru.Cache``: get and add make a key the most recent; adding beyond the
    bound evicts the least recent."""

    def __init__(self, size: int = LRU_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        """The value under ``key`` (now the most recent), or None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def add(self, key: str, value: V) -> None:
        """Store ``value`` under ``key`` as the most recent; evict the oldest beyond the bound."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def items(self) -> list[tuple[str, V]]:
        """Entries, least recent first."""
        return list(self._items.items())

    def __len__(self) -> int:
        return len(self._items)


@dataclass(slots=True)
class AggregateRecord:
    """A group's distinct messages (insertion-ordered) and the time of its last event."""

    local_keys: dict[str, None]
    last: float


@dataclass(slots=True)
class EventLog:
    """What the logger knows of an Event it wrote: how often, since when, under which name."""

    count: int
    first_timestamp: str
    name: str


@dataclass(slots=True)
class TokenBucket:
    """``golang.org/x/time/rate.Limiter`` as ``AllowN(now, 1)`` uses it."""

    tokens: float
    last: float

    def try_accept(self, now: float) -> bool:
        """Take a token at ``now`` if one is there (a deficit worth under 1 ns of refill is
        accepted, as Go truncates the wait to whole nanoseconds)."""
        tokens = self.tokens
        if now != self.last:  # Go's Duration: whole nanoseconds (an earlier now counts as 0)
            elapsed = (_ns(now) - _ns(min(self.last, now))) / 1e9
            tokens = min(float(SPAM_BURST), tokens + elapsed * SPAM_QPS)
        tokens -= 1.0
        if tokens < 0 and int(-tokens / SPAM_QPS * 1e9) > 0:
            return False
        self.tokens, self.last = tokens, now
        return True


def event_keys(event: Obj) -> tuple[str, str, str]:
    """The keys client-go derives from ``event``, each built once: ``getSpamKey`` (source and
    involved object, no fieldPath), ``EventAggregatorByReasonFunc``'s group key (that, type,
    reason, reporting controller and instance; the message is the local key) and
    ``getEventKey`` without its final message (source, involved object with fieldPath, type,
    reason). Fields are joined with no separator, as client-go joins them."""
    source, inv = event.get("source") or {}, event.get("involvedObject") or {}
    head = "".join(
        (
            source.get("component", ""),
            source.get("host", ""),
            inv.get("kind", ""),
            inv.get("namespace", ""),
            inv.get("name", ""),
        )
    )
    tail = inv.get("uid", "") + inv.get("apiVersion", "")
    type_reason = event.get("type", "") + event.get("reason", "")
    spam = head + tail
    group = "".join(
        (spam, type_reason, event.get("reportingComponent", ""), event.get("reportingInstance", ""))
    )
    return spam, group, head + inv.get("fieldPath", "") + tail + type_reason


def event_key(event: Obj) -> str:
    """``getEventKey``: source, involved object (with fieldPath), type, reason and message."""
    return event_keys(event)[2] + str(event.get("message", ""))


class EventCorrelator:
    """One recording process's correlator: aggregator, logger and spam filter caches.

    Args:
        rng: the seeded source that picks which remembered message an aggregation forgets.
        name_for: makes a fresh Event name for an involved object's name (the aggregate event's
            ``<name>.<hex nanoseconds>``), unique within the recorder.
    """

    def __init__(self, rng: random.Random, name_for: Callable[[str], str]) -> None:
        self._rng = rng
        self._name_for = name_for
        self.groups: LRU[AggregateRecord] = LRU()
        self.logs: LRU[EventLog] = LRU()
        self.buckets: LRU[TokenBucket] = LRU()

    def correlate(self, event: Obj, now: float) -> tuple[Obj, str | None] | None:
        """``EventCorrelate``: the event to write (``count`` > 1: a patch of the Event it
        names) and, for an aggregate event, the full key :meth:`update_state` files it under;
        or None when the spam filter drops it. (Any other event is written as observed, under
        the key it was observed with: updating the state again would change nothing.)"""
        spam, group, prefix = event_keys(event)
        full = prefix + event.get("message", "")
        aggregated, key = self._aggregate(event, now, group, full)
        observed = self._observe(aggregated, key)
        if not self._accept(spam, now):
            return None
        if aggregated is event:
            return observed, None
        return observed, prefix + observed["message"]  # the same fields, the combined message

    def update_state(self, written: Obj, key: str | None = None) -> None:
        """``UpdateState``: remember the Event as the server returned it, under its full key
        (``key`` when the caller has it already)."""
        self.logs.add(
            key if key is not None else event_key(written),
            EventLog(int(written.get("count") or 1), written["firstTimestamp"], _name(written)),
        )

    def _aggregate(self, event: Obj, now: float, group_key: str, full: str) -> tuple[Obj, str]:
        record = self.groups.get(group_key)
        if record is None or _ns(now - record.last) > _INTERVAL_NS:
            record = AggregateRecord({}, now)
        record.local_keys[event.get("message", "")] = None
        record.last = now
        self.groups.add(group_key, record)
        if len(record.local_keys) < AGGREGATE_MAX_EVENTS:
            return event, full
        keys = list(record.local_keys)
        del record.local_keys[keys[self._rng.randrange(len(keys))]]
        inv = event["involvedObject"]
        stamp = event["firstTimestamp"]
        aggregate: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": self._name_for(inv.get("name", "")),
                "namespace": event["metadata"]["namespace"],
            },
            "involvedObject": inv,
            "reason": event.get("reason", ""),
            "message": AGGREGATE_PREFIX + event.get("message", ""),
            "source": event.get("source") or {},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": event.get("type", ""),
            "reportingComponent": "",
            "reportingInstance": "",
        }
        return aggregate, group_key

    def _observe(self, event: Obj, key: str) -> Obj:
        last = self.logs.get(key)
        if last is not None and last.count > 0:
            event = {
                **event,
                "metadata": {**event["metadata"], "name": last.name},
                "firstTimestamp": last.first_timestamp,
                "count": last.count + 1,
            }
        self.logs.add(key, EventLog(int(event["count"]), event["firstTimestamp"], _name(event)))
        return event

    def _accept(self, key: str, now: float) -> bool:
        bucket = self.buckets.get(key) or TokenBucket(float(SPAM_BURST), now)
        accepted = bucket.try_accept(now)
        self.buckets.add(key, bucket)
        return accepted

    # -- save files --------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        """The caches as JSON-ready lists, least recent first."""
        return {
            "groups": [[k, list(r.local_keys), r.last] for k, r in self.groups.items()],
            "logs": [[k, g.count, g.first_timestamp, g.name] for k, g in self.logs.items()],
            "buckets": [[k, b.tokens, b.last] for k, b in self.buckets.items()],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Inverse of :meth:`dump`.

        Raises:
            ValueError: an entry is not of the dumped shape.
        """
        try:
            for key, messages, last in data.get("groups", []):
                record = AggregateRecord(dict.fromkeys(map(str, messages)), float(last))
                self.groups.add(str(key), record)
            for key, count, first, name in data.get("logs", []):
                self.logs.add(str(key), EventLog(int(count), str(first), str(name)))
            for key, tokens, last in data.get("buckets", []):
                self.buckets.add(str(key), TokenBucket(float(tokens), float(last)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"events correlator state: malformed entry ({exc})") from exc


def _name(event: Obj) -> str:
    return str(event["metadata"]["name"])
