"""Scripted key presses the app can tell apart from the viewer's.

A demo presses keys as the viewer would (the same bindings run), but any key the *viewer*
presses hands the keyboard over. Scripted :class:`~textual.events.Key` events are remembered
by identity here, so :class:`~tui.demo.app.DemoApp` lets them through.

After each key the app is given time to handle it: live, by Textual's ``wait_for_idle``
(sleeping until the process is idle); a recording sets :attr:`ScriptedKeys.settle` to
:func:`tui.demo.settle.settle`, which waits on the app's message queues instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual._wait import wait_for_idle
from textual.app import App
from textual.keys import _character_to_key, _get_unicode_name_from_key


class ScriptedKeys:
    """Presses keys into an app and recognises the events it made."""

    def __init__(self) -> None:
        self._pending: dict[int, events.Key] = {}
        self.settle: Callable[[App[Any]], Awaitable[None]] | None = None
        """How to wait for a key to be handled (None: Textual's ``wait_for_idle``)."""

    def is_scripted(self, event: events.Key) -> bool:
        """Whether the demo made ``event`` (forgets it: each event is asked about once)."""
        return self._pending.pop(id(event), None) is not None

    async def press(self, app: App[Any], keys: tuple[str, ...]) -> None:
        """Press ``keys`` (Textual key names) one by one, letting each be handled."""
        for key in keys:
            name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
            try:
                char: str | None = unicodedata.lookup(_get_unicode_name_from_key(name))
            except KeyError:
                char = name if len(name) == 1 else None
            event = events.Key(name, char)
            event.set_sender(app)
            self._pending[id(event)] = event
            app.post_message(event)
            await self._idle(app)
            await app.animator.wait_until_complete()
            await self._idle(app)

    async def _idle(self, app: App[Any]) -> None:
        if self.settle is not None:
            await self.settle(app)
        else:
            await wait_for_idle(0)
