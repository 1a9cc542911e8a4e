"""Print the CPU time a keypress costs with 1,000 pods (figures, not a pass/fail test).

Run: ``python -m tests.tui.bench_keys``. Each figure is the least CPU time over three presses,
including Pilot's own overhead (the ``z`` row: a key bound to nothing).
"""

from __future__ import annotations

import asyncio
import time

from engine.objects import copy_obj
from tests.tui.conftest import sync_view
from tests.tui.fixtures import NS, crowded_cluster
from tui.app import PlaygroundApp

KEYS = ("z", "j", "k", "pagedown", "tab", "shift+tab", "slash", "escape", "question_mark")


async def bench(pods: int, size: tuple[int, int]) -> dict[str, float]:
    """Milliseconds of CPU per key."""
    cluster = crowded_cluster(pods)
    app = PlaygroundApp(cluster)
    figures: dict[str, float] = {}
    async with app.run_test(size=size) as pilot:
        await sync_view(pilot)
        for key in KEYS:
            best = float("inf")
            for _ in range(3):
                start = time.process_time()
                await pilot.press(key)
                best = min(best, time.process_time() - start)
                if key in ("slash", "question_mark"):
                    await pilot.press("escape")
            figures[key] = round(best * 1000, 1)
        best = float("inf")
        for phase in ("Pending", "Running", "Pending"):
            pod = copy_obj(cluster.store.must_get("Pod", NS, f"web-{pods // 2}"))
            pod["status"]["phase"] = phase
            start = time.process_time()
            cluster.store.update(pod)
            await sync_view(pilot)
            best = min(best, time.process_time() - start)
        figures["one pod changes"] = round(best * 1000, 1)
    return figures


def main() -> None:
    """Print a table of figures."""
    for pods, size in ((1000, (200, 60)), (1000, (80, 24))):
        print(f"{pods} pods, {size[0]}x{size[1]}: CPU ms per key")
        for key, ms in asyncio.run(bench(pods, size)).items():
            print(f"  {key:<16}{ms:>8}")


if __name__ == "__main__":
    main()
