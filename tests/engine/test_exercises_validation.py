"""Bad exercise files give clear errors naming the file, the task, the check and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.exercises import ExerciseError, load_exercise_file, manifests_dir, parse_exercise

SOURCE = "workshop/03-dns.yaml"

GOOD_TASK = """\
  - title: Scale
    description: Scale it.
    checks:
      - type: readyReplicas
        name: web
        replicas: 3
"""


def exercise_text(tasks: str = GOOD_TASK, extra: str = "") -> str:
    return (
        "title: T\nintroduction: |\n  # T\n"
        "manifests:\n  - file: web.yaml\n"
        f"{extra}tasks:\n{tasks}solution: |\n  kubectl scale sts web --replicas=3\n"
    )


def problems(text: str) -> list[str]:
    with pytest.raises(ExerciseError) as info:
        parse_exercise(text, name="03-dns", source=SOURCE, manifests_dir=manifests_dir())
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def test_a_good_file_parses() -> None:
    exercise = parse_exercise(
        exercise_text(), name="03-dns", source=SOURCE, manifests_dir=manifests_dir()
    )
    assert exercise.tasks[0].checks[0].type == "readyReplicas"
    assert exercise.tasks[0].checks[0].fields == {"name": "web", "replicas": 3}
    assert exercise.manifests[0].file == "web.yaml"


def test_missing_check_field_names_task_check_and_field() -> None:
    tasks = GOOD_TASK + (
        "  - title: Ready\n    description: d\n    checks:\n"
        "      - type: podReady\n        ready: true\n"
    )
    assert problems(exercise_text(tasks)) == [
        'workshop/03-dns.yaml: task 2, check 1: field "pod": required'
    ]


def test_unknown_check_type_is_rejected_with_the_known_ones() -> None:
    tasks = GOOD_TASK.replace("readyReplicas", "replicasReady")
    (problem,) = problems(exercise_text(tasks))
    assert problem.startswith(
        'workshop/03-dns.yaml: task 1, check 1: unknown check type "replicasReady" '
        "(known: podExists, podAbsent, podReady,"
    )


def test_unknown_check_field_is_rejected() -> None:
    tasks = GOOD_TASK.replace("name: web", "nmae: web")
    assert problems(exercise_text(tasks)) == [
        'workshop/03-dns.yaml: task 1, check 1: field "nmae": unknown field for check type '
        "readyReplicas (fields: name, replicas, kind, namespace)",
        'workshop/03-dns.yaml: task 1, check 1: field "name": required',
    ]


def test_wrong_value_types_are_named() -> None:
    tasks = GOOD_TASK.replace("replicas: 3", "replicas: three").replace(
        "description: Scale it.", "description: Scale it.\n    hints: [1, 2]"
    )
    assert problems(exercise_text(tasks)) == [
        'workshop/03-dns.yaml: task 1: field "hints": must be a list of strings, got [1, 2]'
    ]
    tasks = GOOD_TASK.replace("replicas: 3", "replicas: three")
    assert problems(exercise_text(tasks)) == [
        'workshop/03-dns.yaml: task 1, check 1: field "replicas": must be an integer, got "three"'
    ]


def test_exclusive_fields_and_kinds_are_checked() -> None:
    tasks = (
        "  - title: DNS\n    description: d\n    checks:\n"
        "      - type: dns\n        name: web-0.nginx\n"
        "      - type: dns\n        name: x\n        pods: [web-0]\n        nxdomain: true\n"
        "      - type: field\n        kind: Statefulset\n        name: web\n"
        "        path: spec.replicas\n        equals: 3\n"
    )
    found = problems(exercise_text(tasks))
    assert found[0] == (
        'workshop/03-dns.yaml: task 1, check 1: one of the fields "pods", "nxdomain" is required'
    )
    assert found[1] == (
        'workshop/03-dns.yaml: task 1, check 2: fields "pods" and "nxdomain" exclude each '
        'other (give one of "pods", "nxdomain")'
    )
    assert found[2].startswith(
        'workshop/03-dns.yaml: task 1, check 3: field "kind": unknown kind "Statefulset" '
        "(known: Namespace, Node, Pod,"
    )


def test_top_level_required_and_unknown_fields() -> None:
    text = exercise_text().replace("title: T\n", "titel: T\n")
    assert problems(text) == [
        'workshop/03-dns.yaml: field "titel": unknown field (known: title, introduction, '
        "manifests, setup, namespace, nodes, tasks, solution)",
        'workshop/03-dns.yaml: field "title": required',
    ]


def test_task_without_checks_and_empty_task_list() -> None:
    tasks = "  - title: T\n    description: d\n    checks: []\n"
    assert problems(exercise_text(tasks)) == [
        'workshop/03-dns.yaml: task 1: field "checks": needs at least one check'
    ]
    assert problems(exercise_text("  []\n").replace("tasks:\n  []", "tasks: []")) == [
        'workshop/03-dns.yaml: field "tasks": needs at least one task'
    ]


def test_manifests_must_exist_and_be_valid_kubernetes_yaml() -> None:
    text = exercise_text().replace("file: web.yaml", "file: nope.yaml")
    (problem,) = problems(text)
    assert problem.startswith('workshop/03-dns.yaml: manifests 1: file "nope.yaml" not found in ')
    inline = "  - inline: |\n      apiVersion: v1\n      kind: Service\n      metadata: {}\n"
    text = exercise_text().replace("  - file: web.yaml\n", inline)
    (problem,) = problems(text)
    assert problem.startswith("workshop/03-dns.yaml: manifests 1: workshop/03-dns.yaml")
    assert "metadata.name: Required value" in problem


def test_scripts_must_parse() -> None:
    text = exercise_text().replace(
        "solution: |\n  kubectl scale sts web --replicas=3\n",
        "solution: |\n  kubectl get pods\n  kubectl exec web-0 -- sh -c 'echo hi\n",
    )
    assert problems(text) == ["workshop/03-dns.yaml: solution: line 2: unterminated quote"]


def test_invalid_yaml_names_the_line() -> None:
    (problem,) = problems("title: T\ntasks: [\n  - x\n")
    assert problem.startswith("workshop/03-dns.yaml: line 3: invalid YAML: ")


def test_an_exercise_must_be_a_mapping() -> None:
    assert problems("- a\n- b\n") == [
        "workshop/03-dns.yaml: an exercise must be a mapping, got ['a', 'b']"
    ]


def test_a_file_is_named_by_its_folder_and_name(tmp_path: Path) -> None:
    folder = tmp_path / "workshop"
    folder.mkdir()
    path = folder / "03-dns.yaml"
    text = exercise_text(GOOD_TASK.replace("        name: web\n", ""))
    path.write_text(text.replace("manifests:\n  - file: web.yaml\n", ""), encoding="utf-8")
    with pytest.raises(ExerciseError) as info:
        load_exercise_file(path)
    assert info.value.problems == ['workshop/03-dns.yaml: task 1, check 1: field "name": required']
    with pytest.raises(ExerciseError, match=r"workshop/missing\.yaml: cannot read: "):
        load_exercise_file(folder / "missing.yaml")
