"""Bad scenario and exercise files: every malformed variant of the shipped demo files gets the
loader's own error (ScenarioError / ExerciseError) naming the file, within a bounded time.

Variants are derived from every real file in ``demos/scenarios`` and ``demos/exercises``
(truncated at several points, a value swapped for the wrong type, binary, YAML bombs, deep
nesting), so new demo files are covered as they land.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.exercises.loader import ExerciseError, parse_exercise
from engine.scenarios.loader import MANIFESTS, ScenarioError, parse_scenario

DEMOS = Path(__file__).parents[2] / "demos"
SCENARIOS = sorted((DEMOS / "scenarios").glob("*.yaml"))
EXERCISES = sorted((DEMOS / "exercises").glob("*.yaml"))
TIME_BOUND = 10.0  # seconds of CPU time

LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
BROKEN = {
    "empty": "",
    "scalar": "42\n",
    "list": "- a\n- b\n",
    "binary": "\x00\x01\x02\xff",
    "tabs": "title:\n\tbad\n",
    "laughs": LAUGHS,
    "deep-list": "steps: " + "[" * 700 + "]" * 700 + "\n",
    "deep-map": "steps: " + "{a: " * 700 + "1" + "}" * 700 + "\n",
    # libyaml's composer recursed in C here and crashed the process (segfault)
    "deep-100k": "steps: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep-block": "steps:\n" + "".join(" " * i + "- \n" for i in range(1, 400)),
    "alias-chain": "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 300)),
    "unicode": "title: \U0001f600\u202e\nsteps: [\U0001f600]\n",
}
#: variants a loader still lets escape as something other than its own error (none left)
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _variants(text: str) -> Iterator[tuple[str, str]]:
    """Malformed variants of a valid file."""
    for fraction in (0.1, 0.37, 0.5, 0.83):
        cut = int(len(text) * fraction)
        yield f"truncated-{fraction}", text[:cut] + "\n  - [ {"
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if ": " in line and not line.lstrip().startswith("#"):
            key = line.split(": ", 1)[0]
            yield (
                f"wrong-type-line-{i + 1}",
                "\n".join([*lines[:i], f"{key}: [1, {{}}]", *lines[i + 1 :]]),
            )
            break


def _scenario(text: str) -> None:
    parse_scenario(text, "bad.yaml", name="bad", manifests=MANIFESTS)


def _exercise(text: str) -> None:
    parse_exercise(text, name="bad", source="bad.yaml", manifests_dir=MANIFESTS)


LOADERS: dict[str, tuple[Callable[[str], None], type[Exception]]] = {
    "scenario": (_scenario, ScenarioError),
    "exercise": (_exercise, ExerciseError),
}


def _params() -> Iterator[object]:
    for kind in LOADERS:
        for case, text in BROKEN.items():
            marks = []
            if (kind, case) in KNOWN_BUGS:
                reason = f"engine/{kind}s/loader.py {KNOWN_BUGS[kind, case]}"
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(kind, text, id=f"{kind}-{case}", marks=marks)
    for kind, files in (("scenario", SCENARIOS), ("exercise", EXERCISES)):
        for path in files:
            for case, text in _variants(path.read_text(encoding="utf-8")):
                yield pytest.param(kind, text, id=f"{kind}-{path.stem}-{case}")


@pytest.mark.parametrize(("kind", "text"), list(_params()))
def test_bad_file_gets_the_loaders_error(kind: str, text: str) -> None:
    load, error = LOADERS[kind]
    start = time.process_time()
    with pytest.raises(error) as info:
        load(text)
    assert time.process_time() - start < TIME_BOUND
    assert "bad.yaml" in str(info.value)


def test_the_shipped_files_load() -> None:
    """The variants start from valid files (else the test above proves nothing)."""
    assert SCENARIOS
    assert EXERCISES
    for path in SCENARIOS:
        _scenario(path.read_text(encoding="utf-8"))
    for path in EXERCISES:
        parse_exercise(
            path.read_text(encoding="utf-8"), name=path.stem, source="x", manifests_dir=MANIFESTS
        )
