"""Pilot tests: every key, over the store-level world (no controllers needed).

Intents whose effect is a store write (scale, delete) are asserted on the store and on what
the panels show afterwards. Keys whose effect needs the kubelet or node controller (``r``,
``x``, ``n``) are checked here only for reaching the engine; ``test_scenarios.py`` checks
their effect with the real engine.
"""

from __future__ import annotations

from engine.clock import RealClock
from engine.cluster import Cluster
from tests.tui.conftest import Sync
from tests.tui.fixtures import store_cluster
from tests.worlds import BARE_POD
from tui.app import PlaygroundApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.help import HelpScreen
from tui.screens.viewer import TextViewer
from tui.widgets.pods import PodsPanel
from tui.widgets.resource_table import ResourceTable
from tui.widgets.status_bar import StatusBar


def table(app: PlaygroundApp, panel: str) -> ResourceTable:
    return app.screen.query_one(f"#{panel}-table", ResourceTable)


async def test_panels_show_the_world(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        assert table(app, "pods").column_text("NAME") == ["web-0", "web-1", "web-2"]
        assert table(app, "pods").column_text("STATUS") == ["● Running"] * 3
        assert table(app, "pods").column_text("AGE") == ["75s"] * 3
        assert table(app, "workloads").column_text("READY") == ["● 3/3"]
        assert "  └ web-2" in table(app, "services").column_text("NAME")
        assert table(app, "volumes").column_text("USED BY")[:3] == ["web-0", "web-1", "web-2"]
        assert app.focused is table(app, "pods")
        status = app.screen.query_one(StatusBar)
        assert "DNS 127.0.0.1:5353" in str(status.query_one("#dns-address").content)
        assert "10:01:15" in str(status.query_one("#sim-clock").content)


async def test_store_changes_update_rows_in_place(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pods = table(app, "pods")
        await pilot.press("j")
        assert pods.selected_key == "Pod/default/web-1"
        world.store.delete("Pod", "default", "web-0", grace_period=0)
        await sync(pilot)
        assert pods.column_text("NAME") == ["web-1", "web-2"]
        assert pods.selected_key == "Pod/default/web-1"  # the cursor followed its pod
        world.advance(60)
        await pilot.pause()
        app.screen.tick_ages()  # what the age ticker does each second
        assert pods.column_text("AGE") == ["2m15s", "2m15s"]


async def test_j_k_and_tab_move(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("j", "j")
        assert table(app, "pods").selected_key == "Pod/default/web-2"
        await pilot.press("k")
        assert table(app, "pods").selected_key == "Pod/default/web-1"
        await pilot.press("tab")
        assert app.focused is table(app, "events")
        await pilot.press("tab")
        assert app.focused is table(app, "services")
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        assert app.focused is table(app, "workloads")


async def test_plus_minus_scale_the_selected_workload(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        table(app, "workloads").focus()
        await pilot.press("plus")
        await sync(pilot)
        assert world.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 4
        assert table(app, "workloads").column_text("READY") == ["◐ 3/4"]
        await pilot.press("minus", "minus")
        await sync(pilot)
        assert world.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 2


async def test_plus_on_a_pod_scales_its_statefulset(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        assert app.focused is table(app, "pods")  # where the focus starts
        await pilot.press("plus")
        await sync(pilot)
        assert world.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 4
        assert [n.message for n in app._notifications] == ["statefulset.apps/web scaled to 4"]
        assert table(app, "workloads").column_text("READY") == ["◐ 3/4"]
        await pilot.press("minus")
        await sync(pilot)
        assert world.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 3


async def test_scaling_what_cannot_scale_is_an_error_notification(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    from tui.messages import IntentRequested
    from tui.rows import Ref

    world.apply("bare.yaml", BARE_POD)
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        screen = app.screen
        screen.post_message(IntentRequested("scale", Ref("Pod", "default", "bare"), 1))
        screen.post_message(IntentRequested("scale", Ref("Service", "default", "nginx"), 1))
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "pod bare has no workload to scale",
            "Service nginx cannot be scaled",
        ]


async def test_ctrl_d_asks_then_deletes_gracefully(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await sync(pilot)
        assert (
            world.store.must_get("Pod", "default", "web-0")["metadata"].get("deletionTimestamp")
            is None
        )
        await pilot.press("ctrl+d")
        await pilot.press("y")
        await sync(pilot)
        assert table(app, "pods").column_text("STATUS")[0] == "◌ Terminating"
        assert any('pod "web-0" deleted' in n.message for n in app._notifications)


async def test_ctrl_k_force_deletes(app: PlaygroundApp, world: Cluster, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await sync(pilot)
        assert world.store.get("Pod", "default", "web-0") is None
        assert table(app, "pods").column_text("NAME") == ["web-1", "web-2"]


async def test_delete_of_a_vanished_object_is_a_notification(
    app: PlaygroundApp, world: Cluster, sync: Sync
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("ctrl+k")
        world.store.delete("Pod", "default", "web-0", grace_period=0)  # gone meanwhile
        await pilot.press("y")
        await sync(pilot)
        assert [n.title for n in app._notifications] == ["NotFound"]
        assert app.is_running


async def test_fault_keys_reach_the_engine(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        for key in ("r", "x", "n"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            # Either the engine did it (message) or said why not (error title): never a crash.
            assert len(app._notifications) == 1
        assert app.is_running


async def test_enter_and_y_open_viewers(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, TextViewer)
        assert app.screen.title_text == "describe pod/web-0"
        await pilot.press("escape")
        await pilot.press("y")
        assert isinstance(app.screen, TextViewer)
        assert app.screen.title_text == "pod/web-0 -o yaml"
        await pilot.press("q")
        assert isinstance(app.screen.query_one(PodsPanel), PodsPanel)


async def test_click_twice_on_a_row_describes_it(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        pods = table(app, "pods")
        await pilot.click(pods, offset=(3, 4))  # border, header, web-0, web-1, web-2
        assert pods.selected_key == "Pod/default/web-2"
        await pilot.click(pods, offset=(3, 4))
        assert isinstance(app.screen, TextViewer)
        assert app.screen.title_text == "describe pod/web-2"


async def test_slash_filters_the_focused_panel(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("slash", *"web-2")
        await pilot.pause()
        assert table(app, "pods").column_text("NAME") == ["web-2"]
        await pilot.press("enter")
        assert app.focused is table(app, "pods")
        assert table(app, "pods").border_subtitle == "/web-2 · 1 of 3 shown"
        await pilot.press("slash", "escape")
        assert table(app, "pods").column_text("NAME") == ["web-0", "web-1", "web-2"]
        table(app, "services").focus()
        await pilot.press("slash", *"web-1")
        await pilot.pause()
        # a Service matches through its endpoints, and is shown with them
        assert table(app, "services").column_text("NAME") == [
            "nginx",
            "  ├ web-0",
            "  ├ web-1",
            "  └ web-2",
        ]


async def test_question_mark_lists_every_key(app: PlaygroundApp, sync: Sync) -> None:
    from tui.keys import SCOPES

    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("#help-keys").content)
        for title, keys in SCOPES.values():
            assert title in shown
            for key in keys:
                assert f"{key.display or key.keys}" in shown
                assert key.description in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_clock_keys_with_a_real_clock(sync: Sync) -> None:
    ticks = [0.0]
    clock = RealClock(monotonic=lambda: ticks[0])
    cluster = store_cluster(1, clock=clock)
    app = PlaygroundApp(cluster)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        state = app.screen.query_one("#run-state")
        assert str(state.content) == "▶ running ×1"
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert clock.speed == 4
        await pilot.press("less_than_sign")
        assert clock.speed == 2
        await pilot.press("full_stop")
        assert [n.severity for n in app._notifications] == ["warning"]  # not paused
        await pilot.press("space")
        assert clock.paused
        assert str(state.content) == "❚❚ paused ×2"
        assert state.has_class("-paused")
        marker: list[float] = []
        clock.call_later(7, lambda: marker.append(clock.now()))
        await pilot.press("full_stop")
        assert marker == [7.0]
        await pilot.press("space")
        assert not clock.paused


async def test_ctrl_t_switches_theme_and_q_quits(app: PlaygroundApp, sync: Sync) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        assert app.current_theme.dark is False
        await pilot.press("ctrl+t")
        assert app.theme == before
        await pilot.press("q")
        assert not app.is_running


async def test_command_bar_shows_output_and_history(app: PlaygroundApp, sync: Sync) -> None:
    from tui.widgets.command_bar import CommandOutput
    from tui.widgets.history_input import HistoryInput

    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        await pilot.press("colon")
        box = app.screen.query_one("#command-input", HistoryInput)
        assert app.focused is box
        box.insert_text_at_cursor("get pods -o wide")
        await pilot.press("enter")
        await pilot.pause()
        output = app.screen.query_one(CommandOutput)
        assert output.has_class("-visible")
        assert output.text.startswith("$ get pods -o wide\n")
        assert app.focused is output
        await pilot.press("escape")
        assert not output.has_class("-visible")
        assert app.focused is table(app, "pods")  # focus went back
        await pilot.press("colon", "up")
        assert box.value == "get pods -o wide"
        await pilot.press("escape")
        assert app.focused is table(app, "pods")


async def test_key_bar_follows_focus_and_is_clickable(app: PlaygroundApp, sync: Sync) -> None:
    from tui.widgets.key_bar import KeyBar

    async with app.run_test(size=(160, 45)) as pilot:
        await sync(pilot)
        bar = app.screen.query_one(KeyBar)
        assert "r Fail/pass readiness" in bar.text  # pods panel keys
        assert "+ Scale up" in bar.text
        table(app, "services").focus()
        await pilot.pause()
        assert "Scale up" not in bar.text
        assert "Fail/pass readiness" not in bar.text
        table(app, "workloads").focus()
        await pilot.pause()
        assert "+ Scale up" in bar.text
        assert "Fail/pass readiness" not in bar.text
        start = bar.text.index("? Help")
        await pilot.click(bar, offset=(start + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_startup_errors_are_shown(world: Cluster) -> None:
    app = PlaygroundApp(world, startup_errors=['error: web.yaml: document 2: spec.replicas: "x"'])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        (note,) = app._notifications
        assert note.severity == "error"
        assert note.title == "Startup"
        assert "spec.replicas" in note.message
