"""What table cells need besides the object: the clock, for ages."""

from __future__ import annotations

from dataclasses import dataclass

from engine import format as fmt
from engine.clock import Clock
from engine.objects import Obj


@dataclass(frozen=True)
class Ctx:
    """What cell rules need besides the object: the clock (for ages)."""

    clock: Clock

    def age(self, timestamp: str | None) -> str:
        """HumanDuration since ``timestamp`` (``<unknown>`` when missing)."""
        if not timestamp:
            return "<unknown>"
        return fmt.human_duration(self.clock.now() - self.clock.parse_timestamp(timestamp))

    def created(self, obj: Obj) -> str:
        """AGE of ``obj``."""
        return self.age(obj["metadata"].get("creationTimestamp"))


Row = list[str]
