"""The playground's lessons, driven through the keys, on the real engine.

Each test skips (naming the missing part) until main has the engine parts it needs: the
kubelet and manifests (``HAS_ENGINE``), the DNS tools (``HAS_DNS``), the command language
(``HAS_KUBECTL``). Time moves on the VirtualClock: the test advances the cluster, then lets
the bridge deliver the changes (``sync``) and reads what the panels show.
"""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.objects import is_pod_ready
from tests.tui.conftest import Sync
from tests.tui.fixtures import HAS_DNS, HAS_ENGINE, HAS_KUBECTL, WEB_YAML
from tui.app import PlaygroundApp
from tui.widgets.command_bar import CommandOutput
from tui.widgets.nslookup import NslookupPane, QueryInput
from tui.widgets.pinned_query import PinnedQuery
from tui.widgets.resource_table import ResourceTable

needs_engine = pytest.mark.skipif(not HAS_ENGINE, reason="needs the kubelet and manifests")
needs_dns = pytest.mark.skipif(not (HAS_ENGINE and HAS_DNS), reason="needs engine.dns.tools")
needs_kubectl = pytest.mark.skipif(not HAS_KUBECTL, reason="needs engine.kubectl.run")


@pytest.fixture
def engine() -> Cluster:
    """The default cluster with web.yaml applied and settled."""
    cluster = Cluster(seed=0)
    cluster.apply(WEB_YAML)
    cluster.settle()
    return cluster


def table(app: PlaygroundApp, panel: str) -> ResourceTable:
    return app.screen.query_one(f"#{panel}-table", ResourceTable)


def pod_cells(app: PlaygroundApp) -> dict[str, tuple[str, ...]]:
    pods = table(app, "pods")
    return {key.rsplit("/", 1)[1]: pods.cells_of(key) for key in pods.row_keys}


async def pin(pilot: object, app: PlaygroundApp, query: str) -> PinnedQuery:
    box = app.screen.query_one(QueryInput)
    box.focus()
    box.value = query
    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return app.screen.query_one(NslookupPane).pinned[-1]


def addresses(pinned: PinnedQuery) -> set[str]:
    return {a.split()[-1] for a in pinned.answers or [] if a.startswith("Address")}


@needs_engine
async def test_scale_up_is_ordered(engine: Cluster, sync: Sync) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        table(app, "workloads").focus()
        await pilot.press("plus", "plus")
        seen_mid = False
        while engine.step():
            await sync(pilot)
            cells = pod_cells(app)
            if "web-3" in cells:
                assert cells["web-2"][1:3] == ("1/1", "● Running")
            if "web-2" in cells and "web-3" not in cells:
                seen_mid = True
        assert seen_mid
        assert sorted(pod_cells(app)) == ["web-0", "web-1", "web-2", "web-3"]
        assert table(app, "workloads").column_text("READY") == ["● 4/4"]


@needs_engine
async def test_deleted_pod_returns_with_its_claim_and_a_new_ip(engine: Cluster, sync: Sync) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        before = pod_cells(app)["web-0"]
        volume_before = table(app, "volumes").cells_of("PVC/default/www-web-0")
        await pilot.press("ctrl+d", "y")
        await sync(pilot)
        assert pod_cells(app)["web-0"][2] == "◌ Terminating"
        engine.settle()
        await sync(pilot)
        after = pod_cells(app)["web-0"]
        assert after[2] == "● Running"
        assert after[4] != before[4]  # new IP
        # same claim, same volume, used by the new web-0 (only its AGE moved on)
        assert table(app, "volumes").cells_of("PVC/default/www-web-0")[:5] == volume_before[:5]
        assert volume_before[4] == "web-0"


@needs_dns
async def test_pinned_answer_loses_and_regains_an_address(engine: Cluster, sync: Sync) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pinned = await pin(pilot, app, "nslookup nginx")
        ips = {p["status"]["podIP"] for p in engine.store.list("Pod", "default")}
        assert addresses(pinned) == ips
        table(app, "workloads").focus()
        await pilot.press("minus")
        engine.settle()
        await sync(pilot)
        web1_ip = next(ip for ip in ips if ip not in addresses(pinned))
        assert f"- Address: {web1_ip}" in pinned.render_answer().plain
        await pilot.press("plus")
        engine.settle()
        await sync(pilot)
        new_ip = engine.store.must_get("Pod", "default", "web-1")["status"]["podIP"]
        assert f"+ Address: {new_ip}" in pinned.render_answer().plain


@needs_dns
async def test_readiness_toggle_leaves_and_rejoins_the_headless_answer(
    engine: Cluster, sync: Sync
) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pinned = await pin(pilot, app, "nslookup nginx")
        web1 = engine.store.must_get("Pod", "default", "web-1")
        table(app, "pods").focus()
        table(app, "pods").select_key("Pod/default/web-1")
        await pilot.press("r")
        engine.run_until(lambda: not is_pod_ready(engine.store.must_get("Pod", "default", "web-1")))
        await sync(pilot)
        assert pod_cells(app)["web-1"][1:3] == ("0/1", "◐ Running ⚑")
        assert web1["status"]["podIP"] not in addresses(pinned)
        await pilot.press("r")
        engine.run_until(lambda: is_pod_ready(engine.store.must_get("Pod", "default", "web-1")))
        await sync(pilot)
        assert web1["status"]["podIP"] in addresses(pinned)


@needs_kubectl
async def test_command_bar_runs_get_pods_wide(engine: Cluster, sync: Sync) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("colon")
        app.focused.insert_text_at_cursor("get pods -o wide")  # type: ignore[union-attr]
        await pilot.press("enter")
        await pilot.pause()
        output = app.screen.query_one(CommandOutput)
        assert output.has_class("-visible")
        header = output.text.splitlines()[1]
        assert header.split()[:6] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP"]
        assert "web-0" in output.text
        await pilot.press("escape")
        assert not output.has_class("-visible")


@needs_engine
async def test_fault_keys_on_the_real_engine(engine: Cluster, sync: Sync) -> None:
    app = PlaygroundApp(engine)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pods = table(app, "pods")
        pods.select_key("Pod/default/web-1")
        await pilot.press("r")
        engine.advance(40)
        await sync(pilot)
        assert pod_cells(app)["web-1"][1:3] == ("0/1", "◐ Running ⚑")
        await pilot.press("r")
        engine.advance(40)
        await sync(pilot)
        assert pod_cells(app)["web-1"][1:3] == ("1/1", "● Running")
        await pilot.press("x")
        engine.advance(3)
        await sync(pilot)
        assert pod_cells(app)["web-1"][3].startswith("1")  # one restart
        node = pod_cells(app)["web-1"][5]
        await pilot.press("n")
        await sync(pilot)
        assert pod_cells(app)["web-1"][5] == f"{node} ✖"
        await pilot.press("n")
        await sync(pilot)
        assert pod_cells(app)["web-1"][5] == node
        assert [n.severity for n in app._notifications] == ["information"] * 5
