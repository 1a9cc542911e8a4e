"""``kubectl api-resources``: the resource types this cluster serves."""

from __future__ import annotations

from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, Parsed
from engine.kubectl.resources import short_names
from engine.kubectl.tabwriter import table
from engine.objects import KINDS, api_group

FLAGS = (Flag("namespaced", "str", default=""), Flag("output", "str", "o", ""))


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    rows = [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]]
    kinds = sorted(KINDS, key=lambda k: (api_group(k) != "", api_group(k), KINDS[k][1]))
    wanted = p.text("namespaced").lower()
    for kind in kinds:
        api_version, plural, namespaced = KINDS[kind]
        if wanted in ("true", "false") and str(namespaced).lower() != wanted:
            continue
        if p.text("output") == "name":
            group = api_group(kind)
            rows.append([f"{plural}.{group}" if group else plural])
            continue
        rows.append(
            [plural, ",".join(short_names(kind)), api_version, str(namespaced).lower(), kind]
        )
    if p.text("output") == "name":
        env.out("".join(r[0] + "\n" for r in rows[1:]))
        return
    env.out(table(rows))


COMMAND = Command("api-resources", FLAGS, run)
