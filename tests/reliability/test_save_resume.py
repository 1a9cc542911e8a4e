"""State that is never lost: the app's saves (quit, ctrl+s, ``:save``) and ``stsplay
--load``/``--resume``.

Pilot tests drive the app with keys on the VirtualClock, quit, load what the quit wrote and
compare every object and every volume file. CLI tests check the combinations and the
errors (exit status 2, the file and the problem named). Atomicity is checked by really
killing a process between writing the temporary file and renaming it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from engine import kubectl, persist
from engine.clock import RealClock
from engine.cluster import Cluster
from engine.exercises import build_cluster, load_exercise, manifests_dir, saved
from tests.tui.conftest import sync_view
from tui import cli, resume, saving
from tui.app import PlaygroundApp
from tui.exercise_app import ExerciseApp
from tui.saving import SavePlan
from tui.widgets.command_bar import CommandOutput
from tui.widgets.exercise_panel import ExercisePanel
from tui.widgets.history_input import HistoryInput
from tui.widgets.resource_table import ResourceTable

ROOT = Path(__file__).parents[2]
WEB = str(ROOT / "demos" / "manifests" / "web.yaml")
SIZE = (160, 45)
HTML = "/usr/share/nginx/html/index.html"


def web_cluster() -> Cluster:
    """The default cluster on the VirtualClock, settled."""
    cluster = Cluster(seed=4)
    cluster.apply(WEB)
    cluster.advance(60)
    return cluster


def assert_same_state(loaded: Cluster, live: Cluster, *, real_clock: bool = False) -> None:
    """Every object, every volume file, the clock and the random state are equal (exercise
    progress, an extension the app tracks, is compared by the tests that have one)."""
    before, after = persist.snapshot(live), persist.snapshot(loaded)
    before.pop("extensions")
    after.pop("extensions")
    if real_clock:  # a RealClock has moved on a little between the save and the load
        assert abs(after.pop("clock")["now"] - before.pop("clock")["now"]) < 30
        assert abs(loaded.clock.now() - live.clock.now()) < 30
    keyed = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
             for o in before["store"]["objects"]}  # fmt: skip
    assert {
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
        for o in after["store"]["objects"]
    } == keyed
    assert loaded.volume_data == live.volume_data
    if not real_clock:
        assert loaded.clock.now() == live.clock.now()
    assert after == before


async def run_line(pilot: Any, line: str) -> str:
    """Type ``line`` in the command bar, run it, return the output pane's text (closed)."""
    await pilot.press("colon")
    box = pilot.app.screen.query_one("#command-input", HistoryInput)
    box.insert_text_at_cursor(line)
    await pilot.press("enter")
    await pilot.pause()
    output = pilot.app.screen.query_one(CommandOutput)
    text = output.text
    await pilot.press("escape")
    return text


def notes_of(app: PlaygroundApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record the app's notifications as (message, severity)."""
    notes: list[tuple[str, str]] = []

    def record(message: str, **kwargs: Any) -> None:
        notes.append((message, str(kwargs.get("severity", "information"))))

    monkeypatch.setattr(app, "notify", record)
    return notes


# -- the app ------------------------------------------------------------------------------------
async def test_quit_autosaves_and_the_autosave_loads_back_exactly(tmp_path: Path) -> None:
    cluster = web_cluster()
    auto = tmp_path / "state" / "save.json"
    app = PlaygroundApp(cluster, save_plan=SavePlan(autosave=auto))
    async with app.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        text = await run_line(pilot, f"exec web-1 -- sh -c 'echo kept > {HTML}'")
        assert "(exit" not in text
        app.screen.query_one("#workloads-table", ResourceTable).focus()
        await pilot.press("plus")
        cluster.advance(45)
        await sync_view(pilot)
        assert not auto.exists()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    loaded = persist.load(auto)
    assert_same_state(loaded, cluster)
    assert loaded.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 3
    assert kubectl.run(loaded, f"exec web-1 -- cat {HTML}").stdout == "kept\n"


async def test_ctrl_s_and_the_save_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = web_cluster()
    target, other = tmp_path / "mine.json", tmp_path / "other dir" / "snap.json"
    app = PlaygroundApp(cluster, save_plan=SavePlan(target=target, autosave=tmp_path / "a.json"))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        await pilot.press("ctrl+s")
        assert notes == [(f"Saved to {target}", "information")]
        assert_same_state(persist.load(target), cluster)
        cluster.scale("StatefulSet", "default", "web", 1)
        cluster.advance(30)
        text = await run_line(pilot, f"save '{other}'")
        assert text == f"$ save '{other}'\nsaved the playground to {other}\n"
        assert_same_state(persist.load(other), cluster)
        assert await run_line(pilot, "save") == f"$ save\nsaved the playground to {target}\n"
        assert_same_state(persist.load(target), cluster)
        assert not (tmp_path / "a.json").exists()  # only a quit writes the autosave


async def test_a_failed_save_is_a_message_and_the_app_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = web_cluster()
    target = tmp_path / "mine.json"
    app = PlaygroundApp(cluster, save_plan=SavePlan(target=target))
    notes = notes_of(app, monkeypatch)

    def disk_full(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    async with app.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        monkeypatch.setattr(persist.os, "fsync", disk_full)
        await pilot.press("ctrl+s")
        assert notes == [(f"cannot save to {target}: No space left on device", "error")]
        text = await run_line(pilot, "save")
        assert f"error: cannot save to {target}: No space left on device" in text
        assert "(exit 1)" in text
        blocked = tmp_path / "a-file"
        blocked.write_text("x")
        text = await run_line(pilot, f"save {blocked}/x.json")
        assert f"error: cannot save to {blocked}/x.json: " in text
        assert app.is_running
        assert sorted(os.listdir(tmp_path)) == ["a-file"]  # no temporary files left behind


async def test_quit_is_held_once_when_the_save_file_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    target, auto = blocked / "save.json", tmp_path / "auto.json"
    plan = SavePlan(target=target, autosave=auto)
    cluster = web_cluster()
    app = PlaygroundApp(cluster, save_plan=plan)
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert notes[-1][1] == "error"
        assert notes[-1][0].startswith(f"cannot save to {target}: ")
        assert notes[-1][0].endswith("Press q again to quit without saving there.")
        assert_same_state(persist.load(auto), cluster)  # the autosave still happened
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert len(plan.messages) == 1
    assert plan.messages[0].startswith(f"cannot save to {target}: ")


async def test_help_lists_the_save_key_and_command() -> None:
    from tui.screens.help import key_table

    _, body = key_table()
    assert "^s" in body
    assert "Save (to --save FILE, else the autosave)" in body
    assert "save [FILE]   Save now, to FILE (else where ^s saves)" in body


# -- exercise progress --------------------------------------------------------------------------
async def test_exercise_progress_survives_quit_and_resume(tmp_path: Path) -> None:
    exercise = load_exercise("02-scaling")
    cluster = build_cluster(exercise, manifests_dir=manifests_dir())
    auto = tmp_path / "save.json"
    app = ExerciseApp(exercise, cluster, show_intro=False, save_plan=SavePlan(autosave=auto))
    async with app.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        app.screen.query_one("#workloads-table", ResourceTable).focus()
        await pilot.press("plus", "plus", "plus")
        cluster.settle()
        await sync_view(pilot)
        await pilot.press("h")  # the current task (2) shows its first hint
        await sync_view(pilot)
        before = app.screen.query_one(ExercisePanel)
        tasks, reasons, hints = before.task_lines, before.reason_lines, app.progress.states
        assert tasks[0].startswith("✓ 1.")
        assert [s.hints_shown for s in hints] == [0, 1, 0]
        started = app.started_at
        await pilot.press("q")
    loaded = persist.load(auto)
    assert_same_state(loaded, cluster)
    state = saved.resumed(loaded)
    assert state is not None
    assert (state.name, state.started_at) == ("02-scaling", started)
    assert state.tasks == ((True, 0), (False, 1), (False, 0))
    resumed = resume.saved_app(loaded, namespace="default", plan=SavePlan(), speed=1.0)
    assert isinstance(resumed, ExerciseApp)
    assert resumed.progress.context.baseline == app.progress.context.baseline
    async with resumed.run_test(size=SIZE) as pilot:
        await sync_view(pilot)
        panel = resumed.screen.query_one(ExercisePanel)
        panel.evaluate()
        await pilot.pause()
        assert (panel.task_lines, panel.reason_lines) == (tasks, reasons)
        assert [s.hints_shown for s in resumed.progress.states] == [0, 1, 0]


def test_a_save_of_a_removed_exercise_opens_the_playground_with_a_note(tmp_path: Path) -> None:
    exercise = load_exercise("02-scaling")
    cluster = build_cluster(exercise, manifests_dir=manifests_dir())
    ExerciseApp(exercise, cluster, show_intro=False)  # tracks its progress
    persist.save(cluster, tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    doc["extensions"]["exercise"]["name"] = "99-gone"
    (tmp_path / "s.json").write_text(json.dumps(doc))
    app = resume.saved_app(persist.load(tmp_path / "s.json"), namespace="default",
                           plan=SavePlan(), speed=1.0)  # fmt: skip
    assert type(app) is PlaygroundApp
    assert "The saved exercise '99-gone' cannot be opened" in app.startup_errors[0]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda e: e.update(name=3), 'exercise progress needs a "name"'),
        (lambda e: e.update(tasks=[{"done": "yes", "hintsShown": 0}]), '"tasks" must list'),
        (lambda e: e.update(baseline=[["Pod", "default"]]), '"baseline" must list'),
        (lambda e: e.update(startedAt="noon"), '"startedAt" must be a number'),
    ],
)
def test_malformed_exercise_progress_is_a_corrupt_save(
    tmp_path: Path, change: Any, problem: str
) -> None:
    exercise = load_exercise("02-scaling")
    cluster = build_cluster(exercise, manifests_dir=manifests_dir())
    ExerciseApp(exercise, cluster, show_intro=False)
    persist.save(cluster, tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    change(doc["extensions"]["exercise"])
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with pytest.raises(persist.SaveFileError, match=problem):
        persist.load(tmp_path / "s.json")


# -- the command line ---------------------------------------------------------------------------
@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_STATE_HOME in a temporary directory (the autosave lands there)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "stsplay" / "save.json"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[PlaygroundApp]:
    """Apps ``stsplay`` would run (not run: no terminal in tests)."""
    apps: list[PlaygroundApp] = []
    monkeypatch.setattr(PlaygroundApp, "run", lambda self, **_: apps.append(self))
    return apps


def test_load_opens_the_saved_cluster(
    tmp_path: Path, state_home: Path, opened: list[PlaygroundApp]
) -> None:
    cluster = web_cluster()
    persist.save(cluster, tmp_path / "s.json")
    assert cli.main(["--load", str(tmp_path / "s.json"), "--save", str(tmp_path / "t.json")]) == 0
    (app,) = opened
    assert_same_state(app.cluster, cluster, real_clock=True)
    assert app.save_plan.target == tmp_path / "t.json"
    assert app.save_plan.autosave == state_home


def test_an_app_that_ends_without_a_quit_still_saves(
    tmp_path: Path, state_home: Path, opened: list[PlaygroundApp]
) -> None:
    """``opened`` ends the app without the quit action (as an error would): the command
    line runs the quit's saves afterwards."""
    assert cli.main(["--save", str(tmp_path / "t.json")]) == 0
    (app,) = opened
    docs = [json.loads(p.read_text()) for p in (state_home, tmp_path / "t.json")]
    assert docs[0]["store"] == docs[1]["store"] == persist.snapshot(app.cluster)["store"]
    assert persist.load(state_home).store.get("StatefulSet", "default", "web") is not None


def test_after_a_quit_the_exit_does_not_save_again(tmp_path: Path) -> None:
    cluster = web_cluster()
    plan = SavePlan(autosave=tmp_path / "a.json")
    assert saving.save_on_quit(cluster, plan) is None
    assert plan.done
    (tmp_path / "a.json").unlink()
    saving.save_on_exit(cluster, plan)
    assert not (tmp_path / "a.json").exists()


def test_resume_opens_the_autosave(state_home: Path, opened: list[PlaygroundApp]) -> None:
    cluster = web_cluster()
    persist.save(cluster, state_home)
    assert cli.main(["--resume", "--speed", "2"]) == 0
    (app,) = opened
    assert_same_state(app.cluster, cluster, real_clock=True)
    assert getattr(app.cluster.clock, "speed", None) == 2


def test_a_new_session_autosaves_without_save(
    state_home: Path, opened: list[PlaygroundApp]
) -> None:
    assert cli.main([]) == 0
    plan = opened[0].save_plan
    assert (plan.target, plan.autosave) == (None, state_home)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--resume"], "nothing to resume: no autosave at {auto} (the playground writes it "
         "when you quit)"),
        (["--load", "{tmp}/nope.json"],
         "cannot load {tmp}/nope.json: cannot read: No such file or directory"),
        (["--load", "{tmp}/cut.json"],
         "cannot load {tmp}/cut.json: line 3: not a playground save file (Unterminated string"),
        (["--load", "{tmp}/cut.json", "--resume"], "--load and --resume cannot be combined"),
        (["--load", "{tmp}/cut.json", "-f", WEB], "-f cannot be combined with --load"),
        (["--resume", "-f", WEB], "-f cannot be combined with --resume"),
        (["--save", "x.json", "script", "-"], "--save is for the playground app, not 'script'"),
        (["--resume", "exercise", "dns"], "--resume is for the playground app, not 'exercise' "
         "(use: stsplay exercise NAME --save FILE)"),
    ],
)  # fmt: skip
def test_bad_save_options_and_files_exit_2(
    tmp_path: Path,
    state_home: Path,
    opened: list[PlaygroundApp],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "cut.json").write_text('{\n "format": "statefulset-playground-save",\n "vers')
    args = [a.format(tmp=tmp_path, auto=state_home) for a in argv]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("stsplay: " + message.format(tmp=tmp_path, auto=state_home)), err
    assert err.count("\n") == 1
    assert opened == []


def _session_save(path: Path) -> Cluster:
    """A save made by an app in kube-system, running ×4, paused."""
    cluster = Cluster(seed=4, clock=RealClock(speed=4))
    cluster.apply(WEB)
    PlaygroundApp(cluster, namespace="kube-system")  # the app tracks its session
    assert isinstance(cluster.clock, RealClock)
    cluster.clock.pause()
    persist.save(cluster, path)
    return cluster


def test_resume_continues_the_session(state_home: Path, opened: list[PlaygroundApp]) -> None:
    _session_save(state_home)
    assert cli.main(["--resume"]) == 0
    (app,) = opened
    clock = app.cluster.clock
    assert isinstance(clock, RealClock)
    assert (app.namespace, clock.speed, clock.paused) == ("kube-system", 4, True)


def test_options_given_win_over_the_saved_session(
    state_home: Path, opened: list[PlaygroundApp]
) -> None:
    _session_save(state_home)
    assert cli.main(["--resume", "-n", "default", "--speed", "0.5"]) == 0
    (app,) = opened
    clock = app.cluster.clock
    assert isinstance(clock, RealClock)
    assert (app.namespace, clock.speed, clock.paused) == ("default", 0.5, True)


@pytest.mark.parametrize(
    ("session", "problem"),
    [
        ({"speed": 2}, 'session needs a "namespace"'),
        ({"namespace": "default", "speed": -1}, 'session "speed" must be a positive number'),
        ({"namespace": "default", "paused": "no"}, 'session "paused" must be true or false'),
    ],
)
def test_malformed_session_is_a_corrupt_save(
    tmp_path: Path, session: dict[str, Any], problem: str
) -> None:
    _session_save(tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    doc["extensions"]["session"] = session
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with pytest.raises(persist.SaveFileError, match=problem):
        persist.load(tmp_path / "s.json")


def test_a_corrupt_autosave_is_named(state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state_home.parent.mkdir(parents=True)
    state_home.write_bytes(b"\x00\xff")
    assert cli.main(["--resume"]) == 2
    assert capsys.readouterr().err == (
        f"stsplay: cannot load {state_home}: line 1: not a playground save file (not UTF-8)\n"
    )


def test_exercise_command_takes_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_home: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    plans: list[SavePlan] = []
    monkeypatch.setattr(ExerciseApp, "run", lambda self, **_: plans.append(self.save_plan))
    assert cli.main(["exercise", "02-scaling", "--save", "~/x.json"]) == 0
    assert [(p.target, p.autosave) for p in plans] == [(tmp_path / "x.json", state_home)]
    assert saved.resumed(persist.load(tmp_path / "x.json")) is not None  # saved on exit


# -- atomicity ----------------------------------------------------------------------------------
_KILLED_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from engine import persist
    from engine.cluster import Cluster
    cluster = Cluster(seed=4)
    cluster.apply(sys.argv[2])
    cluster.advance(90)
    cluster.scale("StatefulSet", "default", "web", 4)
    cluster.advance(60)
    def killed(src, dst):  # after the temporary file is written and fsynced
        os.kill(os.getpid(), signal.SIGKILL)
    persist.os.replace = killed
    persist.save(cluster, sys.argv[1])
    """
)


def test_process_killed_between_write_and_rename_leaves_the_previous_save(tmp_path: Path) -> None:
    cluster = web_cluster()
    path = tmp_path / "save.json"
    persist.save(cluster, path)
    good = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_CHILD, str(path), WEB], env=env, capture_output=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert path.read_bytes() == good
    leftovers = [p for p in tmp_path.iterdir() if p.name != "save.json"]
    assert len(leftovers) == 1
    assert leftovers[0].name.startswith(".save.json.")
    assert len(leftovers[0].read_bytes()) > len(good) // 2  # it was written in full
    assert_same_state(persist.load(path), cluster)
