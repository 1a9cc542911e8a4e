"""The playground's own commands: ``nslookup``/``dig``/``host`` from a client pod in the
current namespace, ``sleep DURATION`` and the fault verbs.

``fault readiness POD fail|pass``, ``fault crash POD``, ``fault node NODE down|up``.
"""

from __future__ import annotations

from engine.dns import tools as dns_tools
from engine.kubectl.env import Env
from engine.kubectl.parse import KubectlError, parse_duration
from engine.kubectl.waiting import can_wait

FAULT_USAGE = (
    "usage: fault readiness POD fail|pass\n       fault crash POD\n       fault node NODE down|up\n"
)


def nslookup(env: Env, argv: list[str]) -> None:
    """busybox ``nslookup`` from a pod in the current namespace."""
    env.result.extend(dns_tools.run_nslookup(env.cluster, argv, env.namespace))


def dig(env: Env, argv: list[str]) -> None:
    """bind ``dig`` from a pod in the current namespace."""
    env.result.extend(dns_tools.run_dig(env.cluster, argv, env.namespace))


def host(env: Env, argv: list[str]) -> None:
    """bind ``host`` from a pod in the current namespace."""
    env.result.extend(dns_tools.run_host(env.cluster, argv, env.namespace))


def sleep(env: Env, argv: list[str]) -> None:
    """``sleep DURATION``: let simulated time pass (``5s``, ``2m``, ``1.5``, ``1m30s``)."""
    if not argv:
        raise KubectlError("sleep: missing operand\nTry 'sleep --help' for more information.\n")
    total = 0.0
    for word in argv:
        seconds = parse_duration(word)
        if seconds is None:
            raise KubectlError(
                f"sleep: invalid time interval '{word}'\nTry 'sleep --help' for more information.\n"
            )
        total += seconds
    if not can_wait(env):
        raise KubectlError(
            "sleep: the live cluster's clock runs by itself; use sleep in scripts "
            "(stsplay script) or pause/step the clock in the app\n"
        )
    env.cluster.advance(total)


def fault(env: Env, argv: list[str]) -> None:
    """The fault verbs."""
    verb = argv[0] if argv else ""
    if verb == "readiness" and len(argv) == 3 and argv[2] in ("fail", "pass"):
        env.cluster.fault_readiness(env.namespace, argv[1], argv[2] == "fail")
        state = "failing" if argv[2] == "fail" else "passing"
        env.out(f"pod/{argv[1]} readiness probe {state}\n")
    elif verb == "crash" and len(argv) == 2:
        env.cluster.fault_crash(env.namespace, argv[1])
        env.out(f"pod/{argv[1]} container crashed\n")
    elif verb == "node" and len(argv) == 3 and argv[2] in ("down", "up"):
        if argv[2] == "down":
            env.cluster.node_down(argv[1])
        else:
            env.cluster.node_up(argv[1])
        env.out(f"node/{argv[1]} {argv[2]}\n")
    else:
        raise KubectlError(FAULT_USAGE, 2)
