"""The workshop: every exercise's reference solution passes, and no task is done at the start.

Each exercise runs headlessly on the virtual clock (:func:`engine.exercises.check_script`):
the reference solution must tick every task without a failing command, and on the untouched
starting state every task must fail — so no check set is vacuous. The rest covers the ordered,
latched progress, hints, and the ``--list`` / ``--check`` entry points the CLI calls.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engine.clock import RealClock
from engine.exercises import (
    ExerciseError,
    Progress,
    build_cluster,
    check_exercise,
    check_script,
    list_exercises,
    load_exercise,
    load_exercise_file,
    manifests_dir,
)
from engine.exercises.catalog import exercise_files
from engine.exercises.checks import evaluate_all
from engine.exercises.context import Context

FILES = exercise_files()
NAMES = [f.stem for f in FILES]


def test_the_workshop_has_at_least_eight_valid_exercises() -> None:
    assert len(FILES) >= 8
    for path in FILES:
        exercise = load_exercise_file(path)
        assert exercise.tasks
        assert exercise.introduction.lstrip().startswith("# ")


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes_every_task(name: str) -> None:
    exercise = load_exercise(name)
    report = check_script(exercise, exercise.solution)
    assert report.errors == []
    assert [s.task.number for s in report.progress.states if not s.done] == []
    assert report.passed


@pytest.mark.parametrize("name", NAMES)
def test_every_task_fails_on_the_starting_state(name: str) -> None:
    exercise = load_exercise(name)
    cluster = build_cluster(exercise, manifests_dir=manifests_dir())
    ctx = Context.starting(cluster, exercise.namespace)
    for task in exercise.tasks:
        outcomes = evaluate_all(task.checks, ctx)
        failing = [o.reason for o in outcomes if not o.ok]
        assert failing, f"task {task.number} ({task.title}) already passes at the start"


def test_tasks_tick_in_order_and_stay_done() -> None:
    exercise = load_exercise("02-scaling")
    script = (
        "kubectl scale statefulset web --replicas=5\n"
        "kubectl rollout status statefulset/web\n"
        "kubectl scale statefulset web --replicas=3\n"
        "sleep 30s\n"
    )
    report = check_script(exercise, script)
    done = [s.done for s in report.progress.states]
    # task 1 stayed done although web has 3 replicas now; task 3's checks pass, but it
    # waits for the prediction of task 2
    assert done == [True, False, False]
    assert report.progress.states[2].reasons == ["waits for task 2"]
    assert (
        "metadata.annotations.exercise/first-deleted is unset"
        in (report.progress.states[1].reasons[0])
    )


def test_reverting_the_template_alone_does_not_unstick_the_rollout() -> None:
    exercise = load_exercise("05-stuck-rollout")
    script = "kubectl set image statefulset/web nginx=registry.k8s.io/nginx-slim:0.24\nsleep 10m\n"
    states = check_script(exercise, script).progress.states
    assert [s.done for s in states] == [True, False]
    assert "statefulset web has 1 ready replica, want 2" in states[1].reasons


def test_a_plain_delete_does_not_recover_from_a_dead_node() -> None:
    exercise = load_exercise("08-node-failure")
    states = check_script(exercise, "kubectl delete pod web-1 --wait=false\nsleep 5m\n")
    first = states.progress.states[0]
    assert not first.done
    assert any("still the original pod" in r for r in first.reasons)


def test_hints_are_revealed_one_at_a_time_for_the_current_task() -> None:
    exercise = load_exercise("02-scaling")
    progress = Progress(exercise, build_cluster(exercise, manifests_dir=manifests_dir()))
    task1 = exercise.tasks[0]
    assert progress.next_hint() == (task1, task1.hints[0])
    assert progress.next_hint() is None  # task 1 has one hint
    progress.states[0].done = True
    task2 = exercise.tasks[1]
    assert progress.next_hint() == (task2, task2.hints[0])
    assert progress.hints(progress.states[1]) == task2.hints[:1]


def test_check_exercise_reports_text_and_exit_status() -> None:
    out, err = io.StringIO(), io.StringIO()
    status = check_exercise("2", "kubectl scale statefulset web --replicas=5\n", out=out, err=err)
    assert status == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "02-scaling: Scaling, in order"
    assert lines[1].startswith("✗ 1. Scale up to five replicas — ")
    assert "statefulset web has" in lines[1]
    assert "want 5" in lines[1]
    assert lines[-1] == "0 of 3 tasks passed"
    exercise = load_exercise("02-scaling")
    out = io.StringIO()
    assert check_exercise("02-scaling", exercise.solution, out=out, err=err) == 0
    assert out.getvalue().splitlines()[1] == "✓ 1. Scale up to five replicas"


def test_check_exercise_json_schema_and_command_errors() -> None:
    out, err = io.StringIO(), io.StringIO()
    script = "kubectl scale statefulset nosuch --replicas=3\nkubectl scale sts web --replicas=5\n"
    status = check_exercise("02-scaling", script, json=True, out=out, err=err, source="s.sh")
    data = json.loads(out.getvalue())
    assert status == 1
    assert set(data) == {"schema", "exercise", "title", "passed", "tasks", "errors"}
    assert data["exercise"] == "02-scaling"
    assert data["passed"] is False
    assert [t["number"] for t in data["tasks"]] == [1, 2, 3]
    assert set(data["tasks"][0]) == {"number", "title", "passed", "reasons"}
    assert data["tasks"][0]["reasons"]
    assert data["errors"][0]["line"] == 1
    assert data["errors"][0]["exitCode"] == 1
    assert 'statefulsets.apps "nosuch" not found' in data["errors"][0]["message"]
    assert err.getvalue().startswith("s.sh:1: exit status 1 (kubectl scale statefulset nosuch")


def test_check_exercise_unknown_name_is_a_usage_error() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert check_exercise("no-such-exercise", "", out=out, err=err) == 2
    assert err.getvalue().startswith('no exercise called "no-such-exercise" (exercises: 01-')


def test_list_exercises_prints_name_tasks_and_title() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert list_exercises(out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(FILES)
    assert lines[0].split()[0] == "01-first-statefulset"
    assert "3 tasks  Your first StatefulSet" in lines[0]


def test_names_resolve_by_number_or_short_name() -> None:
    assert load_exercise("3").name == "03-dns"
    assert load_exercise("03").name == "03-dns"
    assert load_exercise("dns").name == "03-dns"


def test_the_app_cluster_runs_on_in_real_time_from_where_the_setup_left_it() -> None:
    exercise = load_exercise("08-node-failure")
    cluster = build_cluster(exercise, manifests_dir=manifests_dir(), speed=2.0)
    clock = cluster.clock
    assert type(clock) is RealClock
    assert not clock.paused
    assert clock.speed == 2.0
    assert clock.now() >= 360  # the setup's "sleep 6m" happened on simulated time
    web1 = cluster.store.must_get("Pod", "default", "web-1")
    assert web1["metadata"].get("deletionTimestamp")  # evicted, Terminating


def test_a_failing_setup_names_the_exercise(tmp_path: Path) -> None:
    folder = tmp_path / "exercises"
    folder.mkdir()
    (tmp_path / "manifests").mkdir()
    text = (
        "title: T\nintroduction: i\nsetup: |\n  kubectl scale sts nosuch --replicas=2\n"
        "tasks:\n  - title: t\n    description: d\n    checks:\n"
        "      - type: podExists\n        pod: web-0\nsolution: |\n  kubectl get pods\n"
    )
    (folder / "99-bad.yaml").write_text(text, encoding="utf-8")
    exercise = load_exercise_file(folder / "99-bad.yaml")
    with pytest.raises(ExerciseError) as info:
        build_cluster(exercise, manifests_dir=tmp_path / "manifests")
    assert info.value.problems == [
        "exercises/99-bad.yaml: setup failed: Error from server (NotFound): statefulsets.apps "
        '"nosuch" not found'
    ]
