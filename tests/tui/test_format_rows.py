"""Pure presentation helpers: status symbols, ages, sort order, rows, DNS answer diffs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.cluster import Cluster
from engine.objects import copy_obj
from engine.result import CommandResult
from tests.tui.fixtures import store_cluster
from tui import dns_query
from tui.format import Styled, age, natural_key, pod_status_tag
from tui.rows import pod_lines, workload_lines
from tui.rows_network import service_lines
from tui.rows_storage import event_lines, volume_lines


@pytest.fixture
def cluster() -> Cluster:
    return store_cluster(3)


def _pod(cluster: Cluster, name: str) -> dict[str, object]:
    return copy_obj(cluster.store.must_get("Pod", "default", name))


def test_status_tags_follow_kubectl_status(cluster: Cluster) -> None:
    pod = _pod(cluster, "web-0")
    assert pod_status_tag(pod) == ("ok", "Running")
    pod["status"]["conditions"][-1]["status"] = "False"  # type: ignore[index]
    assert pod_status_tag(pod) == ("warn", "Running")
    pod["status"]["containerStatuses"][0]["state"] = {  # type: ignore[index]
        "waiting": {"reason": "CrashLoopBackOff"}
    }
    assert pod_status_tag(pod) == ("bad", "CrashLoopBackOff")
    pod["metadata"]["deletionTimestamp"] = "2026-07-06T10:00:00Z"  # type: ignore[index]
    assert pod_status_tag(pod) == ("term", "Terminating")


def test_age_and_natural_order() -> None:
    now = datetime(2026, 7, 6, 10, 2, 10, tzinfo=UTC)
    assert age("2026-07-06T10:00:00Z", now) == "2m10s"
    assert age(None, now) == "<unknown>"
    names = ["web-10", "web-2", "web-1"]
    assert sorted(names, key=natural_key) == ["web-1", "web-2", "web-10"]


def test_rows_show_the_store(cluster: Cluster) -> None:
    now = cluster.clock.wall()
    pods = pod_lines(cluster.store, "default", now)
    assert [line.cells[0] for line in pods] == ["web-0", "web-1", "web-2"]
    assert pods[0].cells[4] == "10.244.1.10"
    assert pods[0].cells[2] == Styled("● Running", "ok")
    assert workload_lines(cluster.store, "default", now)[0].cells[1] == Styled("● 3/3", "ok")
    svc = service_lines(cluster.store, "default", now)
    assert [line.cells[0] for line in svc] == [
        "kubernetes",
        "nginx",
        "  ├ web-0",
        "  ├ web-1",
        "  └ web-2",
    ]
    vols = volume_lines(cluster.store, "default", now)
    claims = [line for line in vols if line.ref.kind == "PersistentVolumeClaim"]
    assert [(c.cells[0], c.cells[4]) for c in claims] == [
        ("pvc/www-web-0", "web-0"),
        ("pvc/www-web-1", "web-1"),
        ("pvc/www-web-2", "web-2"),
    ]
    events = event_lines(cluster.store, "default", now)
    assert events[0].cells[2] == "Created"  # newest first


def test_answer_lines_and_diff() -> None:
    before = CommandResult().out(
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.1.10\n"
        "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.2.11\n\n"
    )
    after = CommandResult().out(
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.2.11\n\n"
    )
    a, b = dns_query.answer_lines(before), dns_query.answer_lines(after)
    assert "Address: 10.244.1.10" in a
    assert not any(line.startswith("Server:") for line in a)
    change = dns_query.diff(a, b)
    assert change.removed == ["Name:\tnginx.default.svc.cluster.local", "Address: 10.244.1.10"]
    assert change.added == []
    assert not dns_query.diff(a, list(reversed(a))).changed


def test_parse_and_complete() -> None:
    assert dns_query.parse("web-0.nginx") == ["nslookup", "web-0.nginx"]
    assert dns_query.parse("dig +short nginx") == ["dig", "+short", "nginx"]
    with pytest.raises(dns_query.QueryError, match="not found"):
        dns_query.parse("curl nginx")
    assert dns_query.complete("web-", ["web-0.nginx", "web-1.nginx"]) == (
        "web-",
        ["web-0.nginx", "web-1.nginx"],
    )
    assert dns_query.complete("web-0", ["web-0.nginx", "web-1.nginx"])[0] == "web-0.nginx"


def test_known_names_cover_services_and_pod_hostnames(cluster: Cluster) -> None:
    names = dns_query.known_names(cluster, "default")
    for expected in (
        "nginx",
        "nginx.default.svc.cluster.local",
        "web-0.nginx",
        "web-2.nginx.default.svc.cluster.local",
        "kube-dns.kube-system",
        "_web._tcp.nginx.default.svc.cluster.local",
    ):
        assert expected in names
    assert "kube-dns" not in names  # short names only for the pane's own namespace
