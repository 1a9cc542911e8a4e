"""Save files: exact round trips, continuation after load, atomic writes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import kubectl, persist
from engine.clock import RealClock
from engine.cluster import Cluster
from engine.dns.resolver import resolve
from engine.objects import Obj
from tests.reliability.invariants import Watcher, check_state, healthy
from tests.reliability.workloads import busy_cluster

WEB = str(Path(__file__).parents[2] / "demos" / "manifests" / "web.yaml")


def keyed(objects: list[Obj]) -> dict[tuple[str, str, str], Obj]:
    """Objects by (kind, namespace, name)."""
    return {
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objects
    }


def web_cluster(seconds: float = 60) -> Cluster:
    """The seed's StatefulSet with a file written into web-0's volume."""
    cluster = Cluster(seed=7)
    cluster.apply(WEB)
    cluster.advance(seconds)
    if cluster.store.get("Pod", "default", "web-0") is not None and seconds >= 30:
        result = kubectl.run(
            cluster, "exec web-0 -- sh -c 'echo hello > /usr/share/nginx/html/index.html'"
        )
        assert result.code == 0, result.text
    return cluster


def test_round_trip_is_exact(tmp_path: Path) -> None:
    cluster = web_cluster()
    path = tmp_path / "save.json"
    persist.save(cluster, path)
    loaded = persist.load(path)
    before, after = persist.snapshot(cluster), persist.snapshot(loaded)
    assert keyed(after["store"]["objects"]) == keyed(before["store"]["objects"])
    assert loaded.store.resource_version == cluster.store.resource_version
    assert loaded.clock.now() == cluster.clock.now()
    assert loaded.volume_data == cluster.volume_data
    assert any("hello\n" in files.values() for files in loaded.volume_data.values())
    assert loaded.container_data == cluster.container_data
    assert loaded.empty_dir_data == cluster.empty_dir_data
    soa = [resolve(c, "cluster.local", "SOA").answer[0].rdata for c in (cluster, loaded)]
    assert soa[0] == soa[1]
    assert after == before


def test_loaded_cluster_continues_like_the_original(tmp_path: Path) -> None:
    """Same seed state, same clock, same counters: both make identical futures."""
    cluster = web_cluster()
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    for c in (cluster, loaded):
        c.scale("StatefulSet", "default", "web", 4)
        c.apply(
            "svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n"
            "  selector: {app: nginx}\n  ports: [{port: 80}]\n",
        )
        c.advance(120)
    assert persist.snapshot(loaded) == persist.snapshot(cluster)


def test_pod_being_created_at_save_time_becomes_ready(tmp_path: Path) -> None:
    cluster = Cluster(seed=1)
    cluster.apply(WEB)
    cluster.run_until(lambda: _waiting_reason(cluster, "web-0") == "ContainerCreating")
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    assert _waiting_reason(loaded, "web-0") == "ContainerCreating"
    assert loaded.run_until(lambda: _ready(loaded, "web-1"), timeout=120)
    assert healthy(loaded.store.must_get("Pod", "default", "web-0"))
    assert check_state(loaded) == []


def _waiting_reason(cluster: Cluster, name: str) -> str | None:
    pod = cluster.store.get("Pod", "default", name)
    for cs in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
        return str((cs.get("state") or {}).get("waiting", {}).get("reason"))
    return None


def _ready(cluster: Cluster, name: str) -> bool:
    pod = cluster.store.get("Pod", "default", name)
    return pod is not None and healthy(pod)


def test_running_pods_are_adopted_not_restarted(tmp_path: Path) -> None:
    cluster = web_cluster()
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    before = {p["metadata"]["name"]: p["status"] for p in cluster.store.list("Pod", "default")}
    loaded.advance(300)
    after = {p["metadata"]["name"]: p["status"] for p in loaded.store.list("Pod", "default")}
    assert after == before


def test_busy_cluster_with_faults_round_trips_and_converges(tmp_path: Path) -> None:
    cluster = busy_cluster(seed=5)
    cluster.advance(40)
    cluster.node_down("worker-1")
    cluster.fault_readiness("default", "par-0", True)
    kubectl.run(cluster, "set image statefulset/web nginx=nginx:1.28")
    cluster.advance(45)
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    assert persist.snapshot(loaded) == persist.snapshot(cluster)
    watcher = Watcher(loaded)
    loaded.advance(400)
    loaded.node_up("worker-1")
    loaded.fault_readiness("default", "par-0", False)
    loaded.advance(600)
    assert watcher.violations == []
    assert check_state(loaded) == []
    assert all(healthy(p) for p in loaded.store.list("Pod", "default"))


def test_new_pod_ips_do_not_reuse_freed_addresses_after_load(tmp_path: Path) -> None:
    cluster = web_cluster()
    old_ip = cluster.store.must_get("Pod", "default", "web-0")["status"]["podIP"]
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    for c in (cluster, loaded):
        c.delete("Pod", "default", "web-0")
        c.run_until(lambda c=c: _ready(c, "web-0"), timeout=120)
    new_ip = loaded.store.must_get("Pod", "default", "web-0")["status"]["podIP"]
    assert new_ip != old_ip
    assert new_ip == cluster.store.must_get("Pod", "default", "web-0")["status"]["podIP"]


def test_real_clock_resumes_at_saved_time(tmp_path: Path) -> None:
    cluster = web_cluster()
    persist.save(cluster, tmp_path / "s.json")
    real = [100.0]
    clock = RealClock(monotonic=lambda: real[0])
    loaded = persist.load(tmp_path / "s.json", clock=clock)
    assert loaded.clock is clock
    assert clock.now() == cluster.clock.now()
    real[0] += 1.5
    assert clock.now() == pytest.approx(cluster.clock.now() + 1.5)


# -- atomicity ---------------------------------------------------------------------------------
def _dies_mid_write(handle: Any, text: str) -> None:
    handle.write(text[: len(text) // 2])
    raise KeyboardInterrupt("killed mid-write")


def _rename_fails(*_args: Any) -> None:
    raise OSError(5, "Input/output error")


# (object patched, attribute, replacement, what the save raises, its message)
SAVE_FAULTS = {
    "killed mid-write": (persist, "_write", _dies_mid_write, KeyboardInterrupt, "killed"),
    "rename fails": (persist.os, "replace", _rename_fails, OSError, "Input/output error"),
}


@pytest.mark.parametrize("fault", sorted(SAVE_FAULTS))
def test_failed_save_leaves_previous_save_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    owner, attribute, replacement, error, message = SAVE_FAULTS[fault]
    cluster = web_cluster()
    path = tmp_path / "save.json"
    persist.save(cluster, path)
    good = path.read_bytes()
    cluster.scale("StatefulSet", "default", "web", 5)
    cluster.advance(30)
    calls = 0

    def counted(*args: Any) -> None:
        nonlocal calls
        calls += 1
        replacement(*args)

    monkeypatch.setattr(owner, attribute, counted)
    with pytest.raises(error, match=message):
        persist.save(cluster, path)
    assert calls == 1
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["save.json"]
    assert persist.load(path).store.resource_version < cluster.store.resource_version


def test_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        persist.save(web_cluster(5), tmp_path / "s.json")
    assert list(tmp_path.iterdir()) == []


# -- bad save files ----------------------------------------------------------------------------
def _good_text() -> str:
    cluster = Cluster(seed=2)
    cluster.apply(WEB)
    cluster.advance(20)
    return json.dumps(persist.snapshot(cluster), indent=1)


@pytest.fixture(scope="module")
def good_text() -> str:
    """A valid save file's text."""
    return _good_text()


def _edit(text: str, change: Any) -> str:
    doc = json.loads(text)
    change(doc)
    return json.dumps(doc, indent=1)


BAD_EDITS = {
    "wrong format": (lambda d: d.update(format="other"), '"format" is not'),
    "newer version": (lambda d: d.update(version=99), "newer than this playground"),
    "version string": (lambda d: d.update(version="1"), "version must be an integer"),
    "no store": (lambda d: d.pop("store"), '"store" must be an object'),
    "objects not list": (lambda d: d["store"].update(objects={}), '"objects" must be a list'),
    "unknown kind": (lambda d: d["store"]["objects"][0].update(kind="Frob"), "unknown kind"),
    "nameless": (lambda d: d["store"]["objects"][0]["metadata"].pop("name"), "metadata.name"),
    "duplicate": (lambda d: d["store"]["objects"].append(d["store"]["objects"][0]), "duplicate"),
    "bad time": (lambda d: d["clock"].update(now="soon"), '"now" must be a finite number'),
    "bad epoch": (lambda d: d["clock"].update(epoch="yesterday"), '"epoch" must be'),
    "bad rng": (lambda d: d["rngs"].update(uid=[3, [1, 2], None]), "random state 'uid'"),
    "bad files": (lambda d: d["data"].update(volumes={"pv": {"/a": 3}}), "must map paths"),
    "bad timing": (lambda d: d["config"]["timings"].update(image_pull="x"), "image_pull"),
    "bad rv": (lambda d: d["store"].update(resourceVersion=-1), "resourceVersion"),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_malformed_save_gets_a_clear_error(tmp_path: Path, good_text: str, case: str) -> None:
    change, message = BAD_EDITS[case]
    path = tmp_path / "save.json"
    path.write_text(_edit(good_text, change))
    with pytest.raises(persist.SaveFileError, match=r"^save\.json: line \d+: not a playground"):
        persist.load(path)
    with pytest.raises(persist.SaveFileError, match=message):
        persist.load(path)


@pytest.mark.parametrize("cut", [0, 1, 50, 1000, -2])
def test_truncated_save_names_the_line(tmp_path: Path, good_text: str, cut: int) -> None:
    path = tmp_path / "save.json"
    path.write_text(good_text[:cut])
    with pytest.raises(persist.SaveFileError, match=r"^save\.json: line \d+: not a playground"):
        persist.load(path)


def test_line_number_points_at_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "save.json"
    path.write_text('{\n "format": "statefulset-playground-save",\n "version": "one"\n}\n')
    with pytest.raises(persist.SaveFileError) as info:
        persist.load(path)
    assert str(info.value) == (
        "save.json: line 3: not a playground save file (version must be an integer)"
    )


@pytest.mark.parametrize(
    "raw",
    [b"", b"\xff\xfe\x00garbage", b"[" * 100_000, b"null", b"42", b'"text"', b"[]"],
    ids=["empty", "binary", "deep", "null", "number", "string", "list"],
)
def test_not_json_or_not_an_object(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "save.json"
    path.write_bytes(raw)
    with pytest.raises(persist.SaveFileError, match=r"^save\.json: line \d+: not a playground"):
        persist.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(persist.SaveFileError, match=r"nope\.json: cannot read"):
        persist.load(tmp_path / "nope.json")


def test_unknown_extension_sections_are_ignored_and_known_ones_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got: list[Any] = []
    monkeypatch.setattr(persist, "SECTIONS", {})
    persist.register_section("progress", lambda c: {"done": ["ex1"]}, lambda c, d: got.append(d))
    persist.save(web_cluster(5), tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    doc["extensions"]["future"] = {"x": 1}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    persist.load(tmp_path / "s.json")
    assert got == [{"done": ["ex1"]}]


def test_terminating_pod_at_save_time_finishes_after_load(tmp_path: Path) -> None:
    cluster = web_cluster()
    cluster.delete("Pod", "default", "web-1")
    assert cluster.store.must_get("Pod", "default", "web-1")["metadata"].get("deletionTimestamp")
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    uid = loaded.store.must_get("Pod", "default", "web-1")["metadata"]["uid"]
    assert loaded.run_until(
        lambda: (
            (p := loaded.store.get("Pod", "default", "web-1")) is not None
            and p["metadata"]["uid"] != uid
            and healthy(p)
        ),
        timeout=120,
    )
    assert check_state(loaded) == []


def test_repeated_events_keep_counting_after_load(tmp_path: Path) -> None:
    """An event first recorded before the save is counted up, not duplicated, after it."""
    cluster = web_cluster()
    cluster.scale("StatefulSet", "default", "web", 4)
    cluster.advance(60)
    cluster.scale("StatefulSet", "default", "web", 2)
    cluster.advance(60)
    persist.save(cluster, tmp_path / "s.json")
    loaded = persist.load(tmp_path / "s.json")
    for c in (cluster, loaded):
        c.scale("StatefulSet", "default", "web", 4)
        c.advance(60)
    creates = [
        e
        for e in loaded.store.list("Event", "default")
        if e["message"].startswith("create Pod web-3 ")
    ]
    assert [e["count"] for e in creates] == [2]
    assert persist.snapshot(loaded)["store"] == persist.snapshot(cluster)["store"]


def test_default_path_follows_xdg() -> None:
    assert persist.default_path({"XDG_STATE_HOME": "/s"}) == Path("/s/stsplay/save.json")
    assert persist.default_path({"HOME": "/h"}) == Path("/h/.local/state/stsplay/save.json")


def test_save_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "state" / "stsplay" / "save.json"
    persist.save(web_cluster(5), path)
    assert persist.load(path).store.resource_version > 0
