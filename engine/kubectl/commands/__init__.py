"""The command table: kubectl sub-commands and the playground's own tools."""

from __future__ import annotations

from collections.abc import Callable

from engine.kubectl.commands import (
    create,
    delete,
    describe,
    events,
    exec,
    get,
    info,
    mutate,
    nodes,
    rollout,
    run,
    tools,
    wait,
)
from engine.kubectl.env import Command, Env

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        get.COMMAND,
        describe.COMMAND,
        delete.APPLY,
        delete.DELETE,
        mutate.SCALE,
        mutate.PATCH,
        mutate.SET,
        mutate.LABEL,
        mutate.ANNOTATE,
        rollout.COMMAND,
        wait.COMMAND,
        nodes.CORDON,
        nodes.UNCORDON,
        nodes.DRAIN,
        exec.COMMAND,
        info.COMMAND,
        info.VERSION_COMMAND,
        info.CLUSTER_INFO,
        info.TOP,
        info.LOGS,
        run.COMMAND,
        create.COMMAND,
        events.COMMAND,
    )
}

#: Non-kubectl commands: handler(env, argv without the program name).
TOOLS: dict[str, Callable[[Env, list[str]], None]] = {
    "nslookup": tools.nslookup,
    "dig": tools.dig,
    "host": tools.host,
    "sleep": tools.sleep,
    "fault": tools.fault,
}
