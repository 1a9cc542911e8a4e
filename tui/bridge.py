"""The one bridge between the engine's store and the widgets.

:class:`Bridge` reads ``store.watch()`` on the app's event loop and turns bursts of watch
events into :class:`~tui.messages.ObjectsChanged` messages naming the kinds that changed. A
controller drain can emit hundreds of events at once; the bridge drains the queue before
posting, and queued messages collapse into one (``can_replace``, toolong's pattern), so the
panels refresh at most once per burst whatever the event rate.
"""

from __future__ import annotations

import asyncio

from textual.message_pump import MessagePump

from engine.store import Store, WatchEvent
from tui.messages import ObjectsChanged


class Bridge:
    """Store watch → coalesced :class:`ObjectsChanged` messages for ``target``."""

    def __init__(self, store: Store, target: MessagePump) -> None:
        self._store = store
        self._target = target
        self._queue: asyncio.Queue[WatchEvent] | None = None
        self._posted = 0
        self._handled = 0

    async def run(self) -> None:
        """Forward changes until cancelled (run it as a worker)."""
        self._queue = self._store.watch()
        try:
            while True:
                events = [await self._queue.get()]
                while not self._queue.empty():
                    events.append(self._queue.get_nowait())
                kinds = {ev.kind for ev in events}
                comings = {ev.kind for ev in events if ev.type != "MODIFIED"}
                self._posted += 1
                self._target.post_message(ObjectsChanged(kinds, self._posted, comings))
        finally:
            self._store.unwatch(self._queue)
            self._queue = None

    def handled(self, message: ObjectsChanged) -> None:
        """The target calls this once it has applied ``message``."""
        self._handled = max(self._handled, message.seq)

    @property
    def idle(self) -> bool:
        """No store event is waiting and every posted change has been applied."""
        queue_empty = self._queue is not None and self._queue.empty()
        return queue_empty and self._handled == self._posted
