"""One measurement in its own process: ``python -m tests.benchmarks.worker NAME JSON_ARGS``.

Prints ``RESULT <json>`` as its last line. A fresh process per measurement keeps figures
independent (no warm caches, no garbage from the previous one) and lets the runner bound each
with a timeout and read its peak memory.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from tests.benchmarks import engine_figures, tui_figures

MEASUREMENTS: dict[str, Callable[..., dict[str, Any]]] = {
    "scale": engine_figures.scale,
    "dns_pod_lookup": engine_figures.dns_pod_lookup,
    "dns_service_lookup": engine_figures.dns_service_lookup,
    "first_frame": tui_figures.first_frame,
    "key_latency": tui_figures.key_latency,
    "record_demo": tui_figures.record_demo,
}


def main(argv: list[str]) -> int:
    """Run ``argv[0]`` with keyword arguments ``json.loads(argv[1])``."""
    name, kwargs = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result = MEASUREMENTS[name](**kwargs)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
