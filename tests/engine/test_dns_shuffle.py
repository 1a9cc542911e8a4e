"""The DNS shuffle draws and permutes exactly like ``random.Random.shuffle``."""

from __future__ import annotations

import random

import pytest

from engine.dns.shuffle import shuffle


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 64, 100, 1000, 1025])
def test_same_permutation_and_rng_state_as_random_shuffle(size: int) -> None:
    for seed in range(5):
        ours, theirs = random.Random(f"{seed}:dns"), random.Random(f"{seed}:dns")
        a, b = list(range(size)), list(range(size))
        for _ in range(3):
            shuffle(ours, a)
            theirs.shuffle(b)
            assert a == b
        assert ours.getstate() == theirs.getstate()
