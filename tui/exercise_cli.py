"""The ``stsplay exercise`` subcommand, ready for :mod:`tui.cli` to wire in.

::

    stsplay exercise --list                       # the workshop
    stsplay exercise NAME [--seed N] [--speed X] [--save FILE]  # the app, with the panel
    stsplay exercise NAME --check SCRIPT [--json] # headless: run SCRIPT (file or -), report

In ``tui/cli.py`` (the lead's): ``add_exercise_command(sub)`` after the other subparsers,
and in ``main``: ``if args.command == "exercise": return run_exercise_command(args,
sys.stdout, sys.stderr)``.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from tui.cli_util import USAGE, add_named_command, fail, read_script


def add_exercise_command(sub: Any) -> argparse.ArgumentParser:
    """Add ``exercise`` to the subparsers ``sub`` (``parser.add_subparsers()``)."""
    parser = add_named_command(
        sub,
        "exercise",
        help="workshop exercises: open one in the app, list them, or check a script",
        description="Open an exercise in the playground (its tasks tick to done as the "
        "cluster changes), list the workshop, or check a command script headlessly "
        "against an exercise (exit status 0 when every task passed).",
        name_help="exercise (e.g. 03-dns, dns, 3)",
        list_help="list the exercises",
    )
    parser.add_argument(
        "--check", metavar="SCRIPT", help="run SCRIPT (file, or - for stdin) and report each task"
    )
    parser.add_argument("--json", action="store_true", help="with --check: JSON report")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second (app)"
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="app: save the session to FILE on quit (and with ctrl+s); stsplay --load FILE "
        "continues it (quitting also autosaves for stsplay --resume)",
    )
    return parser


def run_exercise_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Carry out ``stsplay exercise …``; returns the exit status."""
    from engine.exercises import check_exercise, list_exercises

    if args.list:
        return list_exercises(out=stdout, err=stderr)
    if not args.name:
        return fail(stderr, "name an exercise, or use --list", command="exercise")
    if args.check is None:
        if args.json:
            return fail(stderr, "--json needs --check SCRIPT", command="exercise")
        from tui.exercise_app import run_exercise_app

        return run_exercise_app(args.name, seed=args.seed, speed=args.speed, save=args.save)
    script = read_script(args.check, stderr)
    if script is None:
        return USAGE
    text, source = script
    return check_exercise(
        args.name, text, json=args.json, out=stdout, err=stderr, seed=args.seed, source=source
    )
