"""Key mashing: long seeded random key sequences against the app on a busy cluster.

Every key of the key table (except quitting), plain letters and digits, the command bar with
random and malformed command lines, the nslookup prompt with random names, dialogs opened and
answered at random. The app must never raise, and the cluster's invariants
(:mod:`tests.reliability.invariants`) must hold at the end and after time passes.
"""

from __future__ import annotations

import random
import string

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from engine.cluster import Cluster
from tests.reliability.invariants import Watcher, check_state
from tests.reliability.workloads import busy_cluster
from tests.tui.conftest import sync_view
from tui.app import PlaygroundApp
from tui.keys import SCOPES
from tui.widgets.nslookup import QueryInput

#: every bound key of the table, minus quitting
TABLE_KEYS = sorted(
    {
        key
        for _title, keys in SCOPES.values()
        for k in keys
        for key in k.keys.split(",")
        if k.action != "app.quit" and key != "mouse"
    }
)
EXTRA_KEYS = ["escape", "enter", "tab", "shift+tab", "up", "down", "left", "right", "backspace"]
CHARS = [c for c in string.ascii_lowercase + string.digits + "-./=" if c != "q"]
COMMAND_WORDS = [
    "get pods",
    "get sts -o yaml",
    "scale sts/web --replicas=",
    "delete pod web-0",
    "describe pod par-1",
    "set image sts/par nginx=nginx:1.28",
    "exec web-0 -- ls /",
    "nslookup web",
    "fault node worker-1 down",
    "apply -f -",
    "'unterminated",
    "get pods -o jsonpath={",
    "💥",
    "\\",
    "--",
]
NAMES = ["web", "web-0.web", "par", "hello", "kubernetes.default", "nope.", "..", "🙂", "a" * 80]


def _command_line(rng: random.Random) -> str:
    parts = rng.sample(COMMAND_WORDS, rng.randint(1, 3))
    if rng.random() < 0.3:
        parts.append("".join(rng.choice(string.printable) for _ in range(rng.randint(0, 12))))
    return " ".join(parts)


async def _type(pilot: Pilot[None], app: PlaygroundApp, text: str) -> None:
    """Put ``text`` into the focused input: all but the last character set at once (typing
    each through the pilot costs a repaint per key), the last one pressed."""
    focused = app.focused
    if isinstance(focused, Input):
        focused.value = text[:-1]
        focused.cursor_position = len(focused.value)
    last = text[-1:]
    if last == " ":
        await pilot.press("space")
    elif last.isprintable() and len(last) == 1:
        await pilot.press(last)


async def _mash(pilot: Pilot[None], app: PlaygroundApp, rng: random.Random, steps: int) -> None:
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.08:  # the command bar with a random line
            await pilot.press("colon")
            await _type(pilot, app, _command_line(rng))
            await pilot.press(rng.choice(["enter", "enter", "escape", "up"]))
        elif roll < 0.14:  # the nslookup prompt
            boxes = app.screen.query(QueryInput)
            if boxes:
                boxes.first().focus()
                await _type(pilot, app, rng.choice(NAMES))
                await pilot.press(rng.choice(["enter", "tab", "ctrl+p", "up", "escape"]))
        else:
            await pilot.press(_random_key(rng))


def _random_key(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(TABLE_KEYS)
    if roll < 0.8:
        return rng.choice(EXTRA_KEYS)
    return rng.choice(CHARS)


@pytest.mark.parametrize("seed", [1, 2])
async def test_key_mashing_never_breaks_the_app_or_the_cluster(seed: int) -> None:
    cluster: Cluster = busy_cluster(seed=seed)
    cluster.advance(60)
    watcher = Watcher(cluster)
    app = PlaygroundApp(cluster, dns_address="127.0.0.1:5353")
    rng = random.Random(seed)
    async with app.run_test(size=(150, 45)) as pilot:
        await sync_view(pilot)
        for _round in range(3):
            await _mash(pilot, app, rng, 20)
            cluster.advance(rng.choice([1, 5, 30]))
            await sync_view(pilot)
        assert app.is_running
    assert app.return_code in (None, 0)
    cluster.advance(5)
    assert watcher.violations == []
    assert check_state(cluster) == []
