"""Pausing Python's cyclic garbage collector around bulk view rebuilds.

Rebuilding a panel allocates many small, acyclic objects (a tuple per row, its cells, its
sort key). Each allocation burst triggers collections, and every third-generation collection
walks the whole heap, which with 10,000 pods in the store (and their claims, volumes and
endpoints) is hundreds of thousands of objects: profiled, the collector took more than a third
of the app's start at that size. A rebuild is bounded and creates no reference cycles, so the
collector is paused while it runs and resumed after; whatever it allocated is examined by the
next ordinary collection.

The main screen pauses the collector from its composition until it is mounted (every panel
filled), then freezes what exists (:func:`freeze_long_lived`): at 10,000 pods the rows just
built would otherwise be walked by the young collections that follow each panel's fill.

A demo recording (:func:`tui.demo.recorder.record`) is a bounded batch job: it pauses the
collector for its whole run and calls :func:`collect_young` after each frame, which collects
only the young generations once enough objects have piled up (profiled: automatic
collections took about a sixth of a recording's CPU time).
"""

from __future__ import annotations

import gc

from engine.cluster import gc_paused

__all__ = ["collect_young", "freeze_long_lived", "gc_paused", "pause", "resume"]


def pause() -> bool:
    """Disable the collector until :func:`resume`; returns whether it was enabled."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def resume(was_enabled: bool) -> None:
    """Undo :func:`pause` (enable the collector again if it was enabled then)."""
    if was_enabled:
        gc.enable()


_frozen = False


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's reach (``gc.freeze``), once per
    process.

    Called once the main screen is filled: the cluster (possibly 10,000 pods with claims,
    volumes and endpoints) and the rows built from it live as long as the app, and a full
    collection would otherwise re-walk them all. Frozen objects are still freed by reference
    counting when they go (a deleted pod, a replaced row); only reference cycles alive at this
    moment are never collected, which is why a process (a test run opening many apps) freezes
    only at its first main screen.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


#: young objects allowed to pile up while the collector is paused before :func:`collect_young`
#: collects them (about a second of a recording's allocations)
YOUNG_LIMIT = 50_000


def collect_young() -> None:
    """While the collector is paused for a long job, collect the young generations once
    enough objects have piled up (cheap: it never walks the old, frozen objects), so garbage
    cycles cannot accumulate without bound."""
    if not gc.isenabled() and gc.get_count()[0] > YOUNG_LIMIT:
        gc.collect(1)
