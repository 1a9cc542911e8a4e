"""Scripts of the command language, run headlessly (``stsplay script FILE|-``, demos, tests).

A script is one command per line (see :mod:`engine.kubectl`). Blank lines and ``#`` comments are
skipped, a trailing ``\\`` continues a command on the next line, a here-document
(``kubectl apply -f - <<EOF`` … ``EOF``) gives a command its standard input, a one-line
``for i in 0 1; do kubectl exec "web-$i" -- hostname; done`` repeats its commands (as the
Kubernetes tutorials write them), and a line may join commands with ``;``, ``&&`` and ``||``
(``nslookup nginx || true``). ``echo``, ``true``, ``false`` and ``:`` are built in.

Each command's stdout and stderr chunks are written to the given streams in the order the tool
wrote them, and both streams are flushed after every command, so a combined capture reads like
a terminal. With ``echo`` each command is shown first as ``$ command``. The run stops at the
first failing command (its exit status is the script's) unless ``keep_going``. Errors that name
a script line (``script.txt:7: …``) are only those of the runner itself, such as an unterminated
quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from engine import kubectl

if TYPE_CHECKING:
    from engine.cluster import Cluster

_FOR = re.compile(r"^for\s+([A-Za-z_]\w*)\s+in\s+(.*?);\s*do\s+(.*?);?\s*done$")
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2\s*$")


class ScriptError(ValueError):
    """The runner cannot make a command of these lines; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Step:
    """One command of a script."""

    line: int
    command: str
    stdin: str | None = None
    shown: str = ""


def parse_script(text: str) -> list[Step | ScriptError]:
    """Split a script into commands (and runner errors, in their place)."""
    lines = text.splitlines()
    steps: list[Step | ScriptError] = []
    i = 0
    while i < len(lines):
        start = i
        command = lines[i]
        i += 1
        while command.endswith("\\") and i < len(lines):
            command = command[:-1] + lines[i]
            i += 1
        stripped = command.strip()
        if not stripped or stripped.startswith("#"):
            continue
        step = Step(start + 1, stripped, shown=stripped)
        heredoc = _HEREDOC.search(stripped)
        if heredoc:
            i = _read_heredoc(lines, i, step, heredoc, steps)
        loop = _FOR.match(step.command) if not heredoc else None
        if loop:
            steps.extend(_expand_loop(step, loop))
        else:
            steps.append(_check_quotes(step))
    return steps


def _expand_loop(step: Step, loop: re.Match[str]) -> list[Step | ScriptError]:
    """``for VAR in WORDS; do CMD; …; done`` (one line) → one step per command and word."""
    name, words, body = loop.group(1), loop.group(2), loop.group(3)
    try:
        values = kubectl.split(words)
        commands = _split_semicolons(body)
    except ValueError:
        return [ScriptError(step.line, "unterminated quote")]
    expanded: list[Step | ScriptError] = []
    for value in values:
        for command in commands:
            text = _substitute(command, name, value)
            shown = step.shown if not expanded else ""
            expanded.append(_check_quotes(Step(step.line, text, shown=shown)))
    return expanded


def _split_semicolons(text: str) -> list[str]:
    """Split at ``;`` outside quotes; raises ValueError for an unterminated quote."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ";":
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if quote:
        raise ValueError("unterminated quote")
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _substitute(command: str, name: str, value: str) -> str:
    """Replace ``$name`` / ``${name}`` outside single quotes."""
    pattern = re.compile(r"\$(?:\{" + name + r"\}|" + name + r"(?![A-Za-z0-9_]))")
    pieces = re.split(r"('[^']*')", command)
    return "".join(
        piece if piece.startswith("'") else pattern.sub(value, piece) for piece in pieces
    )


def _read_heredoc(
    lines: list[str], i: int, step: Step, match: re.Match[str], steps: list[Step | ScriptError]
) -> int:
    strip_tabs, word = match.group(1) == "-", match.group(3)
    body: list[str] = []
    while i < len(lines):
        current = lines[i].lstrip("\t") if strip_tabs else lines[i]
        i += 1
        if current == word:
            step.command = step.command[: match.start()].rstrip()
            step.stdin = "".join(f"{b}\n" for b in body)
            step.shown = "\n".join([step.shown, *body, word])
            return i
        body.append(current)
    steps.append(
        ScriptError(
            step.line,
            f"here-document at line {step.line} delimited by end-of-file (wanted '{word}')",
        )
    )
    step.command = ""
    return i


def _check_quotes(step: Step) -> Step | ScriptError:
    if not step.command:
        return step
    try:
        kubectl.split(step.command)
    except ValueError as exc:
        reason = "unterminated quote" if "quotation" in str(exc) else str(exc)
        return ScriptError(step.line, reason)
    return step


def run_script(
    cluster: Cluster,
    text: str,
    *,
    echo: bool,
    keep_going: bool,
    out: TextIO,
    err: TextIO,
    source: str,
    namespace: str = "default",
) -> int:
    """Run ``text`` against ``cluster``; returns the exit status (0, or the first failure's)."""
    status = 0
    for step in parse_script(text):
        if isinstance(step, ScriptError):
            err.write(f"{source}:{step.line}: {step.message}\n")
            err.flush()
            status = status or 2
            if not keep_going:
                return status
            continue
        if not step.command:
            continue
        if echo and step.shown:
            out.write(f"$ {step.shown}\n")
            out.flush()
        code = _run_line(cluster, step, namespace, out, err)
        if code:
            status = status or code
            if not keep_going:
                return status
    return status


def _run_line(cluster: Cluster, step: Step, namespace: str, out: TextIO, err: TextIO) -> int:
    """A command line as a shell runs it: ``;`` lists of ``&&`` / ``||`` chains; the status of
    the last command that ran. The here-document goes to the first command."""
    code = 0
    stdin = step.stdin
    for chain in _split_operators(kubectl.strip_comment(step.command), (";",)):
        op = ""
        for next_op, command in _chain(chain):
            if (op == "&&" and code != 0) or (op == "||" and code == 0):
                op = next_op
                continue
            code = _run_one(cluster, command, namespace, stdin, out, err)
            stdin, op = None, next_op
    return code


def _chain(text: str) -> list[tuple[str, str]]:
    """``a && b || c`` → [("&&", "a"), ("||", "b"), ("", "c")] (operator after each)."""
    parts = _split_operators(text, ("&&", "||"), keep=True)
    commands = parts[0::2]
    operators = [*parts[1::2], ""]
    return list(zip(operators, commands, strict=True))


def _run_one(
    cluster: Cluster, command: str, namespace: str, stdin: str | None, out: TextIO, err: TextIO
) -> int:
    words = kubectl.split(command)
    if words and words[0] in _BUILTINS:
        return _BUILTINS[words[0]](words[1:], out)
    result = kubectl.run(cluster, command, namespace, stdin=stdin)
    for stream, chunk in result.chunks:
        target = out if stream == "out" else err
        target.write(chunk)
        target.flush()
    out.flush()
    err.flush()
    return result.code


def _echo(args: list[str], out: TextIO) -> int:
    newline = not (args and args[0] == "-n")
    out.write(" ".join(args[0 if newline else 1 :]) + ("\n" if newline else ""))
    out.flush()
    return 0


def _true(args: list[str], out: TextIO) -> int:
    return 0


def _false(args: list[str], out: TextIO) -> int:
    return 1


_BUILTINS: dict[str, Callable[[list[str], TextIO], int]] = {
    "echo": _echo,
    "true": _true,
    ":": _true,
    "false": _false,
}


def _split_operators(text: str, operators: tuple[str, ...], keep: bool = False) -> list[str]:
    """Split ``text`` at the operators outside quotes (keeping them as items with ``keep``)."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        else:
            op = next((o for o in operators if text.startswith(o, i)), None)
            if op:
                parts.append("".join(current).strip())
                if keep:
                    parts.append(op)
                current = []
                i += len(op)
                continue
        current.append(ch)
        i += 1
    parts.append("".join(current).strip())
    return parts
