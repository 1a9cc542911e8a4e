"""Bad scenario files give one clear error naming file, step and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scenarios import ScenarioError, load_scenario, parse_scenario, scenario_names

HEAD = "title: t\ndescription: d\nmanifests: [web.yaml]\n"


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "demos/scenarios/x.yaml", name="x")
    return str(info.value)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            "  - caption: a\n  - caption: b\n  - caption: c\n"
            "  - wait: {for: ready, object: pod/web-2}\n",
            'demos/scenarios/x.yaml: step 4: field "wait.for": must be condition=NAME or delete',
        ),
        (
            "  - wait: {for: condition=Ready}\n",
            'step 1: field "wait.object": required: TYPE/NAME',
        ),
        (
            "  - wait: {for: delete, object: gadget/web-2}\n",
            'step 1: field "wait.object": unknown resource type "gadget"',
        ),
        (
            "  - wait: {for: delete, object: pod/web-2, timeout: soon}\n",
            'step 1: field "wait.timeout": must be a duration',
        ),
        (
            "  - wait: {for: delete, object: pod/web-2, until: later}\n",
            'step 1: field "wait.until": unknown field',
        ),
        (
            "  - command: kubectl frobnicate pods\n",
            'step 1: field "command": unknown command "frobnicate"',
        ),
        ("  - command: get pods 'oops\n", 'step 1: field "command": cannot be split into words'),
        (
            "  - caption: a\n    command: get pods\n",
            "step 1: needs exactly one of caption, command",
        ),
        ("  - {}\n", "step 1: needs exactly one of"),
        ("  - keys: [plus]\n", 'step 1: field "equivalent": required with keys'),
        (
            "  - keys: [plus]\n    focus: sidebar\n    equivalent: get pods\n",
            'step 1: field "focus": must be one of workloads, pods',
        ),
        (
            "  - keys: [plus]\n    select: web\n    equivalent: get pods\n",
            'step 1: field "select": must be TYPE/NAME',
        ),
        ("  - pause: forever\n", 'step 1: field "pause": must be a duration'),
        ("  - pin: kubectl get pods\n", 'step 1: field "pin": must be a DNS query'),
        ("  - command: get pods\n    expect: [1]\n", 'step 1: field "expect": must be text'),
        ("  - caption: ''\n", 'step 1: field "caption": must be a non-empty string'),
        ("  - just a string\n", "step 1: must be a mapping"),
        ("  - command: kubectl delete pod web-0\n", 'step 1: field "command": delete waits'),
        ("  - command: sleep 5\n", 'step 1: field "command": sleep blocks only in scripts'),
        (
            "  - command: kubectl rollout status sts/web\n",
            'step 1: field "command": rollout status blocks',
        ),
        (
            "  - keys: [ctrl+d, y]\n    equivalent: kubectl delete pod web-0\n",
            'step 1: field "equivalent": delete waits',
        ),
        ("  - pause: 1\n", None),
        ("  - keys: [escape, tab]\n", None),
        ("  - keys: [escape, plus]\n", 'step 1: field "equivalent": required with keys'),
    ],
)
def test_step_errors_name_file_step_and_field(steps: str, message: str | None) -> None:
    if message is None:  # the control: the same file with a good step loads
        assert parse_scenario(HEAD + "steps:\n" + steps, "x.yaml", name="x").steps
        return
    error = _error(HEAD + "steps:\n" + steps)
    assert error.startswith("demos/scenarios/x.yaml: ")
    assert message in error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: t\ndescription: d\nsteps: []\n", 'field "steps": must be a non-empty list'),
        ("description: d\nsteps:\n  - pause: 1\n", 'field "title": must be a non-empty string'),
        (
            "title: t\ndescription: d\nmanifests: [nope.yaml]\nsteps:\n  - pause: 1\n",
            'field "manifests[0]": no such file: nope.yaml',
        ),
        (
            "title: t\ndescription: d\ncolour: red\nsteps:\n  - pause: 1\n",
            'field "colour": unknown field',
        ),
        ("title: t\ndescription: d\nspeed: 1000\nsteps:\n  - pause: 1\n", 'field "speed": must be'),
        ("- just\n- a list\n", "must be a mapping"),
        ("title: [unclosed\n", "not valid YAML"),
        ("title: t\ndescription: d\ngallery: 3\nsteps:\n  - pause: 1\n", 'field "gallery"'),
    ],
)
def test_file_errors_name_file_and_field(text: str, message: str) -> None:
    error = _error(text)
    assert error.startswith("demos/scenarios/x.yaml: ")
    assert message in error
    assert ": step " not in error


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match=r"no such scenario .*storage"):
        load_scenario("no-such-demo")


def test_every_shipped_scenario_is_valid() -> None:
    for name in scenario_names():
        scenario = load_scenario(name)
        assert scenario.title
        assert scenario.description
        assert scenario.steps[0].kind == "caption"


def test_a_good_file_reads_into_steps(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(
        HEAD
        + "beat: 500ms\nsteps:\n"
        + "  - wait: {for: condition=Ready=False, object: po/web-1, timeout: 1m30s}\n"
        + "  - keys: plus plus\n    focus: workloads\n    select: sts/web\n"
        + "    equivalent: kubectl scale sts web --replicas=4\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    wait, keys = scenario.steps
    assert scenario.beat == 0.5
    assert wait.wait is not None
    assert (wait.wait.kind, wait.wait.name, wait.wait.condition, wait.wait.value) == (
        "Pod",
        "web-1",
        "Ready",
        "False",
    )
    assert wait.wait.timeout == 90
    assert keys.keys == ("plus", "plus")
    assert keys.select == ("StatefulSet", "web")
