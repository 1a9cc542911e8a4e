"""Messages the playground's widgets exchange (past tense: they report what happened)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from tui.rows import Ref


@dataclass
class ObjectsChanged(Message):
    """Objects of ``kinds`` changed in the store (sent by the bridge, coalesced)."""

    kinds: set[str] = field(default_factory=set)
    seq: int = 0
    """The bridge's sequence number of the newest batch folded into this message."""
    comings: set[str] = field(default_factory=set)
    """Kinds of which an object was added or deleted (not only modified)."""

    def can_replace(self, message: Message) -> bool:
        """A burst collapses into its newest message, which inherits the older kinds."""
        if isinstance(message, ObjectsChanged):
            message.kinds |= self.kinds
            message.comings |= self.comings
            return True
        return False


@dataclass
class IntentRequested(Message):
    """A panel asks for ``verb`` on ``ref`` (scale, delete, describe, …); ``arg`` if any."""

    verb: str
    ref: Ref
    arg: int = 0
