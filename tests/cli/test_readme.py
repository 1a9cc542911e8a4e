"""The README shows the program's real output."""

from __future__ import annotations

import io
import re
from pathlib import Path

from tui import cli

ROOT = Path(__file__).resolve().parents[2]


def test_readme_script_transcript_is_the_real_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ stsplay (script [^\n]*)\n(.*?)```", readme, re.S)
    assert block, "README has no stsplay script transcript"
    argv = block.group(1).split()
    out = io.StringIO()
    args = cli.build_parser().parse_args([*argv[:-1], str(ROOT / argv[-1])])
    cli.run_script_command(args, out, out)
    assert block.group(2) == out.getvalue()


def test_readme_has_exactly_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert blocks[:2] == [
        "pip install -e . && stsplay\n",
        "bash tests/setup-tools.sh && pip install -e '.[test]' && pytest\n",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(blocks[1].strip())
