"""client-go's EventCorrelator as the recorder applies it: aggregation, repeat counting and the
per-source spam filter, on the virtual clock (engine/event_correlator.py)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.event_correlator import SPAM_QPS, TokenBucket
from engine.events import EventRecorder
from engine.objects import Obj

STS: Obj = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "web", "namespace": "default", "uid": "uid-web", "resourceVersion": "7"},
}
CTRL = "statefulset-controller"


def pod(name: str, rv: str = "1") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "resourceVersion": rv,
        },
    }


def about(cluster: Cluster, name: str = "web") -> list[Obj]:
    """Stored Events about ``name``, in the order they were created."""
    events = [
        e for e in cluster.store.list("Event", "default") if e["involvedObject"]["name"] == name
    ]
    return sorted(events, key=lambda e: int(e["metadata"]["resourceVersion"]))


def summary(cluster: Cluster, name: str = "web") -> list[tuple[str, int, str, str]]:
    return [
        (e["message"], e["count"], e["firstTimestamp"][11:19], e["lastTimestamp"][11:19])
        for e in about(cluster, name)
    ]


def record_each(cluster: Cluster, messages: list[str], gap: float = 1.0) -> None:
    for message in messages:
        cluster.events.normal(STS, "SuccessfulCreate", message, CTRL)
        cluster.advance(gap)


def test_the_tenth_distinct_message_becomes_a_combined_event_the_rest_count_on(
    cluster: Cluster,
) -> None:
    start = cluster.clock.now()
    record_each(cluster, [f"create Pod web-{i}" for i in range(13)])
    t = [cluster.clock.timestamp(start + i)[11:19] for i in range(13)]
    assert summary(cluster) == [
        *[(f"create Pod web-{i}", 1, t[i], t[i]) for i in range(9)],
        ("(combined from similar events): create Pod web-12", 4, t[9], t[12]),
    ]


def test_the_combined_event_carries_what_client_go_copies_and_no_reporting_fields(
    cluster: Cluster,
) -> None:
    record_each(cluster, [f"m{i}" for i in range(10)], gap=0.0)
    combined = about(cluster)[-1]
    first = about(cluster)[0]
    assert combined["metadata"]["name"].startswith("web.")
    assert combined["metadata"]["name"] not in {e["metadata"]["name"] for e in about(cluster)[:-1]}
    assert {k: v for k, v in combined.items() if k != "metadata"} == {
        "apiVersion": "v1",
        "kind": "Event",
        "involvedObject": first["involvedObject"],
        "reason": "SuccessfulCreate",
        "message": "(combined from similar events): m9",
        "source": {"component": CTRL},
        "firstTimestamp": first["firstTimestamp"],
        "lastTimestamp": first["firstTimestamp"],
        "count": 1,
        "type": "Normal",
        "reportingComponent": "",
        "reportingInstance": "",
    }
    assert first["reportingComponent"] == CTRL


@pytest.mark.parametrize(("gap", "combined"), [(600.0, True), (600.001, False)])
def test_a_gap_of_more_than_600s_starts_the_group_afresh(
    cluster: Cluster, gap: float, combined: bool
) -> None:
    record_each(cluster, [f"m{i}" for i in range(9)], gap=0.0)
    cluster.advance(gap)
    cluster.events.normal(STS, "SuccessfulCreate", "m9", CTRL)
    assert about(cluster)[-1]["message"] == (
        "(combined from similar events): m9" if combined else "m9"
    )


def test_groups_are_per_reason_and_type(cluster: Cluster) -> None:
    record_each(cluster, [f"create {i}" for i in range(9)], gap=0.0)
    for i in range(9):
        cluster.events.normal(STS, "SuccessfulDelete", f"delete {i}", CTRL)
    cluster.events.warning(STS, "SuccessfulCreate", "create 9", CTRL)
    assert not any(e["message"].startswith("(combined") for e in about(cluster))


def test_a_repeat_of_a_remembered_message_counts_on_its_own_event(cluster: Cluster) -> None:
    messages = [f"m{i}" for i in range(10)]
    record_each(cluster, messages, gap=0.0)
    ((_, group),) = cluster.events.correlator(CTRL).groups.items()
    remembered = list(group.local_keys)
    assert len(remembered) == 9  # the aggregation forgot one, as Go's PopAny does
    cluster.events.normal(STS, "SuccessfulCreate", remembered[0], CTRL)
    own = [e for e in about(cluster) if e["message"] == remembered[0]]
    assert own[0]["count"] == 2
    (forgotten,) = set(messages) - set(remembered)
    cluster.events.normal(STS, "SuccessfulCreate", forgotten, CTRL)
    assert about(cluster)[-1]["message"] == f"(combined from similar events): {forgotten}"
    assert about(cluster)[-1]["count"] == 2


def test_a_repeat_patches_only_count_last_timestamp_and_message(cluster: Cluster) -> None:
    cluster.events.normal(pod("web-0", rv="1"), "Pulling", "Pulling image", "kubelet", host="n1")
    cluster.advance(5)
    cluster.events.normal(pod("web-0", rv="9"), "Pulling", "Pulling image", "kubelet", host="n1")
    (event,) = about(cluster, "web-0")
    assert event["count"] == 2
    assert event["involvedObject"]["resourceVersion"] == "1"  # the first one's, kept
    assert event["lastTimestamp"] == cluster.clock.timestamp()
    assert event["source"] == {"component": "kubelet", "host": "n1"}


def test_the_spam_filter_drops_the_26th_and_lets_one_through_every_300s(
    cluster: Cluster,
) -> None:
    for _ in range(25):
        assert cluster.events.normal(STS, "Unhealthy", "probe failed", CTRL) is not None
    assert cluster.events.normal(STS, "Unhealthy", "probe failed", CTRL) is None
    assert about(cluster)[0]["count"] == 25
    cluster.advance(299.0)
    assert cluster.events.normal(STS, "Unhealthy", "probe failed", CTRL) is None
    cluster.advance(1.0)
    written = cluster.events.normal(STS, "Unhealthy", "probe failed", CTRL)
    assert written is not None
    assert written["count"] == 28  # the dropped ones were counted all the same
    assert written["lastTimestamp"] == cluster.clock.timestamp()
    assert cluster.events.normal(STS, "Other", "a new reason", CTRL) is None


def test_the_budget_is_per_source_and_object(cluster: Cluster) -> None:
    for i in range(26):
        cluster.events.normal(STS, "SuccessfulCreate", f"m{i}", CTRL)
    assert cluster.events.normal(pod("web-0"), "Scheduled", "assigned", "default-scheduler")
    assert cluster.events.normal(pod("web-0"), "Pulling", "Pulling", "kubelet", host="worker-1")
    assert cluster.events.normal(STS, "Other", "other component", "kubelet", host="worker-1")
    assert cluster.events.normal(STS, "SuccessfulCreate", "m26", CTRL) is None


def test_the_scheduler_records_without_correlator(cluster: Cluster) -> None:
    """kube-scheduler writes through events.k8s.io: no aggregation, no spam filter."""
    web0 = pod("web-0")
    for i in range(30):
        cluster.events.warning(
            web0, "FailedScheduling", f"0/3 nodes are available: {i}", "default-scheduler"
        )
    cluster.events.warning(
        web0, "FailedScheduling", "0/3 nodes are available: 0", "default-scheduler"
    )
    events = about(cluster, "web-0")
    assert len(events) == 30
    assert not any(e["message"].startswith("(combined") for e in events)
    assert [e["count"] for e in events if e["message"].endswith(": 0")] == [2]


def test_a_deleted_event_is_recreated_under_its_name_with_its_count(cluster: Cluster) -> None:
    web0 = pod("web-0")
    cluster.events.normal(web0, "BackOff", "Back-off restarting", "kubelet", host="n1")
    (first,) = about(cluster, "web-0")
    cluster.store.delete("Event", "default", first["metadata"]["name"])
    cluster.advance(10)
    cluster.events.normal(web0, "BackOff", "Back-off restarting", "kubelet", host="n1")
    (again,) = about(cluster, "web-0")
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert (again["count"], again["firstTimestamp"]) == (2, first["firstTimestamp"])
    assert again["lastTimestamp"] == cluster.clock.timestamp()


def test_token_bucket_arithmetic_follows_x_time_rate() -> None:
    assert pytest.approx(1 / 300, rel=1e-7) == SPAM_QPS
    assert SPAM_QPS != 1 / 300  # the float32 client-go passes
    bucket = TokenBucket(tokens=1.0, last=0.0)
    assert bucket.try_accept(0.0)
    assert not bucket.try_accept(299.999)
    assert bucket.try_accept(300.0)
    assert bucket.last == 300.0


def test_each_cache_is_an_lru_of_4096(cluster: Cluster) -> None:
    correlator = cluster.events.correlator("kubelet", "n1")
    for i in range(4100):
        cluster.events.normal(pod(f"p{i}"), "Pulled", "pulled", "kubelet", host="n1")
    assert len(correlator.buckets) == len(correlator.groups) == 4096
    assert correlator.buckets.items()[0][0] == "kubeletn1Poddefaultp4uid-p4v1"  # p0…p3 evicted


def test_a_recorder_without_a_cluster_rng_forgets_the_same_message_each_run() -> None:
    remembered = []
    for _ in range(2):
        recorder = EventRecorder(Cluster(seed=1, bare=True).store)
        for i in range(10):
            recorder.normal(STS, "SuccessfulCreate", f"m{i}", CTRL)
        ((_, group),) = recorder.correlator(CTRL).groups.items()
        remembered.append(list(group.local_keys))
    assert remembered[0] == remembered[1]
    assert len(remembered[0]) == 9
