"""Waiting, event by event, until a headless app has nothing left to do.

Textual's test helpers wait for the app to be idle by *sleeping*: ``wait_for_idle`` sleeps
1/50 s at a time until the process's CPU time stops advancing, and ``Pilot.pause`` calls it.
A recording waits like that a few times per frame, so a 60-second demo spent most of its
wall time asleep (profiled: 200 waits, 13.5 of 18.5 s), and on a loaded machine the CPU test
itself misjudges. :func:`settle` waits on events instead:

1. yield to the event loop, so ready tasks run (the store bridge forwards store changes);
2. put a callback at the end of the app's and every screen node's message queue and wait
   until all have run (what ``Pilot`` does internally before it sleeps), so every message
   queued so far is handled;
3. let the screen lay out and repaint now (``Screen._on_timer_update``, what ``Pilot.pause``
   calls after its sleep);
4. stop when no node has a message queued, the screen needs no layout, repaint or callback,
   and the bridge has applied every store change; otherwise go round again (handling a message
   may queue others, and a layout posts ``Resize`` events).

Work scheduled outside the message queues (a timer, an asyncio task) is not waited for; the
app's one such source that changes the screen, the store bridge, is asked directly
(``Bridge.idle``). It uses a few private Textual names (the screen's update flags); Textual
is pinned (``textual==8.2.8``) and ``tests/tui/test_demo_record.py`` records the same
scenario twice and compares the bytes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

from tui.screens.main import MainScreen

#: rounds before giving up (a healthy app settles in two or three)
MAX_ROUNDS = 100
#: seconds to wait for queued messages to be handled before calling the app stuck
TIMEOUT = 30.0


class NeverSettled(RuntimeError):
    """The app kept working (or stopped handling messages)."""


async def settle(app: App[Any]) -> None:
    """Return once ``app`` has handled everything queued and its screen is up to date.

    Raises:
        NeverSettled: after :data:`MAX_ROUNDS` rounds with work still queued, or when queued
            messages are not handled within :data:`TIMEOUT` seconds.
    """
    for _ in range(MAX_ROUNDS):
        await asyncio.sleep(0)
        screen = app.screen
        nodes: list[DOMNode] = [app, *screen.walk_children(with_self=True)]
        await _handled([app, screen, *(n for n in nodes[2:] if _busy(n))])
        screen._on_timer_update()
        if _quiet(nodes, screen):
            return
    raise NeverSettled(f"the app still had work queued after {MAX_ROUNDS} rounds")


async def _handled(nodes: list[DOMNode]) -> None:
    """Until every message queued to ``nodes`` before this call has been handled."""
    done = asyncio.get_running_loop().create_future()
    pending = 0

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0 and not done.done():
            done.set_result(None)

    for node in nodes:
        if node.call_later(one_done):
            pending += 1
    if pending:
        try:
            await asyncio.wait_for(done, TIMEOUT)
        except TimeoutError:
            raise NeverSettled(f"queued messages not handled within {TIMEOUT:g} s") from None


def _busy(node: DOMNode) -> bool:
    return bool(node.message_queue_size or node._next_callbacks)


def _quiet(nodes: list[DOMNode], screen: Screen[Any]) -> bool:
    if any(_busy(node) for node in nodes):
        return False
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._dirty_widgets
        or screen._callbacks
    ):
        return False
    return not isinstance(screen, MainScreen) or screen.bridge.idle
