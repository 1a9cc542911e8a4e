"""What the ``stsplay`` subcommands share: how a subcommand that names one thing (a demo, an
exercise) is declared, how a script is read, and how problems are reported.

:mod:`tui.cli`, :mod:`tui.exercise_cli` and :mod:`tui.demo.cli` all report the same way:
one line ``stsplay[ COMMAND]: problem`` on standard error and an exit status (2 for wrong
options or unreadable input, 1 for manifests that failed to apply).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

USAGE = 2  # wrong options, or input that cannot be read
FAILED = 1  # the command ran and something in it failed


def add_named_command(
    sub: Any, name: str, *, help: str, description: str, name_help: str, list_help: str
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` to ``sub`` (an ``add_subparsers()`` result) with an optional
    ``NAME`` (the thing to open) and ``--list`` (list them instead)."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    parser.add_argument("name", nargs="?", metavar="NAME", help=name_help)
    parser.add_argument("--list", action="store_true", help=list_help)
    return parser


def fail(err: TextIO, problem: str, *, command: str | None = None, status: int = USAGE) -> int:
    """Write ``stsplay[ command]: problem`` to ``err``; returns ``status``."""
    prefix = f"stsplay {command}" if command else "stsplay"
    err.write(f"{prefix}: {problem}\n")
    return status


def report_errors(messages: Iterable[str], err: TextIO) -> int:
    """Write each message on its own line (as the manifest loader words them); returns 1."""
    for message in messages:
        err.write(message.rstrip("\n") + "\n")
    return FAILED


def read_script(path: str, err: TextIO) -> tuple[str, str] | None:
    """The text of script ``path`` (``-`` is standard input) and the name errors give it;
    ``None`` after reporting a file that cannot be read."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(encoding="utf-8"), path
    except OSError as exc:
        fail(err, f"cannot read {path}: {exc.strerror}")
        return None
