"""What a learner sees of the EventCorrelator: the seed's StatefulSet scaled 0 → 30 with the real
kubelet, and save files that keep the correlators' memory."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from engine import persist
from engine.cluster import Cluster
from engine.kubectl import run
from engine.objects import Obj

WEB = (Path(__file__).resolve().parents[2] / "demos" / "manifests" / "web.yaml").read_text()

# kubectl describe sts web, Events section, when the scale-up has just settled (t = 126 s): the
# first nine SuccessfulCreate messages one by one, the tenth combined, and the combined Event
# counting up to the 25th event of the statefulset-controller about web; the 35 after it are
# dropped by the spam filter (25 tokens, the next one due 300 s after the first).
DESCRIBE_AFTER_SCALE_UP = """\
  Type    Reason            Age                  From                    Message
  ----    ------            ----                 ----                    -------
  Normal  SuccessfulCreate  2m6s                 statefulset-controller  create Claim www-web-0 Pod web-0 in StatefulSet web success
  Normal  SuccessfulCreate  2m6s                 statefulset-controller  create Pod web-0 in StatefulSet web successful
  Normal  SuccessfulCreate  2m                   statefulset-controller  create Claim www-web-1 Pod web-1 in StatefulSet web success
  Normal  SuccessfulCreate  2m                   statefulset-controller  create Pod web-1 in StatefulSet web successful
  Normal  SuccessfulCreate  114s                 statefulset-controller  create Claim www-web-2 Pod web-2 in StatefulSet web success
  Normal  SuccessfulCreate  114s                 statefulset-controller  create Pod web-2 in StatefulSet web successful
  Normal  SuccessfulCreate  108s                 statefulset-controller  create Claim www-web-3 Pod web-3 in StatefulSet web success
  Normal  SuccessfulCreate  108s                 statefulset-controller  create Pod web-3 in StatefulSet web successful
  Normal  SuccessfulCreate  104s                 statefulset-controller  create Claim www-web-4 Pod web-4 in StatefulSet web success
  Normal  SuccessfulCreate  72s (x16 over 104s)  statefulset-controller  (combined from similar events): create Claim www-web-12 Pod web-12 in StatefulSet web success
"""  # noqa: E501


GET_EVENTS_AFTER_SCALE_UP = """\
LAST SEEN   TYPE     REASON             OBJECT            MESSAGE
2m6s        Normal   SuccessfulCreate   statefulset/web   create Claim www-web-0 Pod web-0 in StatefulSet web success
2m6s        Normal   SuccessfulCreate   statefulset/web   create Pod web-0 in StatefulSet web successful
2m          Normal   SuccessfulCreate   statefulset/web   create Claim www-web-1 Pod web-1 in StatefulSet web success
2m          Normal   SuccessfulCreate   statefulset/web   create Pod web-1 in StatefulSet web successful
114s        Normal   SuccessfulCreate   statefulset/web   create Claim www-web-2 Pod web-2 in StatefulSet web success
114s        Normal   SuccessfulCreate   statefulset/web   create Pod web-2 in StatefulSet web successful
108s        Normal   SuccessfulCreate   statefulset/web   create Claim www-web-3 Pod web-3 in StatefulSet web success
108s        Normal   SuccessfulCreate   statefulset/web   create Pod web-3 in StatefulSet web successful
104s        Normal   SuccessfulCreate   statefulset/web   create Claim www-web-4 Pod web-4 in StatefulSet web success
72s         Normal   SuccessfulCreate   statefulset/web   (combined from similar events): create Claim www-web-12 Pod web-12 in StatefulSet web success
"""  # noqa: E501


def web_at_zero(seed: int = 1) -> Cluster:
    cluster = Cluster(seed=seed, strict=True)
    cluster.apply("web.yaml", WEB.replace("replicas: 2", "replicas: 0"))
    cluster.settle()
    return cluster


def events_section(cluster: Cluster) -> str:
    return run(cluster, "describe sts web").stdout.split("Events:\n")[1]


def sts_events(cluster: Cluster) -> list[Obj]:
    return [
        e
        for e in cluster.store.list("Event", "default")
        if e["involvedObject"]["kind"] == "StatefulSet"
    ]


@pytest.fixture(scope="module")
def scaled() -> Cluster:
    cluster = web_at_zero()
    cluster.scale("StatefulSet", "default", "web", 30)
    cluster.settle()
    return cluster


def test_describe_after_scaling_to_30_shows_nine_events_and_one_combined(scaled: Cluster) -> None:
    assert scaled.clock.now() == 126.0
    assert events_section(scaled) == DESCRIBE_AFTER_SCALE_UP


def test_get_events_lists_the_same_ten(scaled: Cluster) -> None:
    out = run(scaled, "get events --field-selector involvedObject.name=web").stdout
    assert out == GET_EVENTS_AFTER_SCALE_UP
    assert sum(e["count"] for e in sts_events(scaled)) == 25


def test_the_pods_own_events_are_not_throttled(scaled: Cluster) -> None:
    for i in range(30):
        reasons = [
            e["reason"]
            for e in scaled.store.list("Event", "default")
            if e["involvedObject"]["name"] == f"web-{i}"
        ]
        assert {"Scheduled", "Pulled", "Created", "Started"} <= set(reasons), (i, reasons)
    assert len(scaled.store.list("Pod", "default")) == 30


def test_after_the_refill_a_scale_down_shows_what_the_tokens_allow() -> None:
    cluster = web_at_zero()
    cluster.scale("StatefulSet", "default", "web", 30)
    cluster.settle()
    cluster.advance(600)  # 2.42 tokens by now: the 25th event took the last one at 54 s
    cluster.scale("StatefulSet", "default", "web", 0)
    cluster.settle()
    deletes = [e["message"] for e in sts_events(cluster) if e["reason"] == "SuccessfulDelete"]
    assert deletes == [
        "delete Pod web-29 in StatefulSet web successful",
        "delete Pod web-28 in StatefulSet web successful",
    ]
    assert cluster.store.list("Pod", "default") == []


def test_a_save_mid_scale_continues_exactly_like_the_original(tmp_path: Path) -> None:
    cluster = web_at_zero()
    cluster.scale("StatefulSet", "default", "web", 30)
    cluster.advance(60)  # some events combined, tokens partly spent
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    for c in (cluster, loaded):
        c.settle()
    assert events_section(loaded) == events_section(cluster) == DESCRIBE_AFTER_SCALE_UP
    assert persist.snapshot(loaded) == persist.snapshot(cluster)
    assert loaded.events.dump_state() == cluster.events.dump_state()


def test_a_save_without_correlators_rebuilds_repeat_counting(tmp_path: Path) -> None:
    cluster = web_at_zero()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "default"}}
    cluster.events.warning(pod, "BackOff", "Back-off restarting", "kubelet", host="worker-1")
    persist.save(cluster, tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    old = copy.deepcopy(doc)
    old["components"]["events"] = {"counter": doc["components"]["events"]["counter"]}
    loaded = persist.restore(old)
    loaded.events.warning(pod, "BackOff", "Back-off restarting", "kubelet", host="worker-1")
    (event,) = [e for e in loaded.store.list("Event", "default") if e["reason"] == "BackOff"]
    assert event["count"] == 2


def test_a_malformed_correlator_state_is_a_clear_error() -> None:
    cluster = web_at_zero()
    with pytest.raises(ValueError, match="events correlator state"):
        cluster.events.restore_state({"correlators": [{"component": "x", "logs": [["k", 1]]}]})
    with pytest.raises(ValueError, match="events correlator state"):
        cluster.events.restore_state({"correlators": ["x"]})
    with pytest.raises(ValueError, match="events state"):
        cluster.events.restore_state([])  # type: ignore[arg-type]
