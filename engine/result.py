"""What a command prints: stdout and stderr chunks in the order the tool wrote them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stream = Literal["out", "err"]


@dataclass
class CommandResult:
    """Output of one command of the command language (kubectl, nslookup, dig, …).

    ``chunks`` keeps stdout and stderr interleaved as the real tool writes them, so a combined
    capture reads like a terminal; ``code`` is the exit status.
    """

    chunks: list[tuple[Stream, str]] = field(default_factory=list)
    code: int = 0

    def out(self, text: str) -> CommandResult:
        """Append ``text`` to stdout."""
        if text:
            self.chunks.append(("out", text))
        return self

    def err(self, text: str) -> CommandResult:
        """Append ``text`` to stderr."""
        if text:
            self.chunks.append(("err", text))
        return self

    def fail(self, text: str, code: int = 1) -> CommandResult:
        """Append ``text`` to stderr and set a non-zero exit status."""
        self.err(text)
        self.code = code
        return self

    def extend(self, other: CommandResult) -> CommandResult:
        """Append another result's output; keeps the first non-zero exit status."""
        self.chunks.extend(other.chunks)
        if other.code and not self.code:
            self.code = other.code
        return self

    @property
    def stdout(self) -> str:
        """Everything written to stdout."""
        return "".join(t for s, t in self.chunks if s == "out")

    @property
    def stderr(self) -> str:
        """Everything written to stderr."""
        return "".join(t for s, t in self.chunks if s == "err")

    @property
    def text(self) -> str:
        """stdout and stderr interleaved, as a terminal shows them."""
        return "".join(t for _, t in self.chunks)
