"""``stsplay demo``: list, play, record.

The lead wires this into :mod:`tui.cli`::

    from tui.demo.cli import add_demo_parser, run_demo_command
    add_demo_parser(sub)                      # in build_parser(), sub = add_subparsers(...)
    if args.command == "demo":                # in main()
        return run_demo_command(args, sys.stdout, sys.stderr)

Forms:

* ``stsplay demo --list`` — the scenarios with their descriptions;
* ``stsplay demo NAME [--speed X]`` — play in the app on the real clock;
* ``stsplay demo NAME --cast FILE [--svg DIR] [--size 140x46]`` — record headlessly;
* ``stsplay demo NAME --transcript`` — play headlessly over the command language, printing
  what each command prints (no app);
* ``stsplay demo --gallery DIR`` — one SVG per demo (its ``gallery`` step) for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path
from typing import Any, TextIO

from engine.scenarios import ScenarioError, ScenarioFailed, load_scenario, scenario_names
from tui.cli_util import add_named_command, fail


def add_demo_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``demo`` subcommand to ``sub`` (an ``add_subparsers()`` result)."""
    demo = add_named_command(
        sub,
        "demo",
        help="play a recorded demo in the app, or record it (asciicast, SVG)",
        description="Play a demo scenario (demos/scenarios/NAME.yaml) in the playground with a "
        "caption bar: space pauses, → steps forward, any other key takes over. With --cast or "
        "--svg the demo is recorded headlessly instead, on the virtual clock.",
        name_help="scenario name or file",
        list_help="list the demos and exit",
    )
    demo.add_argument(
        "--speed", type=float, help="simulated seconds per real second (default: the demo's)"
    )
    demo.add_argument("--cast", metavar="FILE", help="write an asciicast v2 recording")
    demo.add_argument("--svg", metavar="DIR", help="write an SVG screenshot per step")
    demo.add_argument("--size", default="140x46", help="recording size COLSxROWS (default 140x46)")
    demo.add_argument(
        "--transcript", action="store_true", help="play headlessly and print a transcript"
    )
    demo.add_argument("--gallery", metavar="DIR", help="write DIR/NAME.svg for every demo")
    return demo


def run_demo_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Carry out ``stsplay demo``; returns the exit status."""
    try:
        if args.list:
            return list_demos(stdout)
        size = parse_size(args.size)
        if args.gallery:
            return write_gallery(Path(args.gallery), size, stdout)
        if not args.name:
            return fail(stderr, "name a demo (stsplay demo --list shows them)", command="demo")
        scenario = load_scenario(args.name)
        if args.transcript:
            from engine.scenarios import play

            play(scenario, out=stdout)
            return 0
        if args.cast or args.svg:
            return record_to_files(scenario, args, size, stdout)
        return play_live(scenario, args.speed)
    except (ScenarioError, ScenarioFailed, ValueError) as exc:
        return fail(stderr, str(exc), command="demo")


def list_demos(out: TextIO) -> int:
    """Print every demo's name, title and description."""
    names = scenario_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        scenario = load_scenario(name)
        out.write(f"{name:<{width}}  {scenario.title}\n{'':<{width}}  {scenario.description}\n")
    return 0


def parse_size(text: str) -> tuple[int, int]:
    """``140x46`` → (140, 46)."""
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip())
    if not match or int(match[1]) < 40 or int(match[2]) < 12:
        raise ValueError(f"--size must be COLSxROWS, at least 40x12 (got {text!r})")
    return int(match[1]), int(match[2])


def play_live(scenario: Any, speed: float | None) -> int:
    """Play in the app on the real clock."""
    from engine.clock import RealClock
    from engine.scenarios import build_cluster
    from tui.demo.app import DemoApp

    clock = RealClock(speed=speed or scenario.speed)
    cluster = build_cluster(scenario, clock)
    DemoApp(cluster, scenario).run()
    return 0


def record_to_files(
    scenario: Any, args: argparse.Namespace, size: tuple[int, int], out: TextIO
) -> int:
    """``--cast FILE`` and/or ``--svg DIR``."""
    from tui.demo.recorder import record

    recording = asyncio.run(record(scenario, size=size, speed=args.speed, svg=bool(args.svg)))
    if args.cast:
        Path(args.cast).write_text(recording.cast, encoding="utf-8")
        out.write(f"wrote {args.cast} ({recording.frames} frames)\n")
    if args.svg:
        folder = Path(args.svg)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in recording.svgs.items():
            (folder / name).write_text(text, encoding="utf-8")
        out.write(f"wrote {len(recording.svgs)} SVG files to {folder}\n")
    return 0


def write_gallery(folder: Path, size: tuple[int, int], out: TextIO) -> int:
    """``DIR/NAME.svg`` for every demo: the screen after its ``gallery`` step."""
    from tui.demo.recorder import record

    folder.mkdir(parents=True, exist_ok=True)
    for name in scenario_names():
        scenario = load_scenario(name)
        recording = asyncio.run(record(scenario, size=size, svg=True, steps=scenario.gallery))
        picture = recording.svgs[max(recording.svgs)]
        (folder / f"{name}.svg").write_text(picture, encoding="utf-8")
        out.write(f"wrote {folder / name}.svg\n")
    return 0
