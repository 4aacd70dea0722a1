"""Random streams: one numpy Generator per named source of randomness.

Each source (arrivals of one channel, task times of one step, failures of one stage...) gets its own
stream derived from the run's seed and the source's *name*, not its position in a list. So two
scenarios run with the same seed see the same demand (common random numbers), and adding or
changing one step's times never reshuffles another source's draws. The global ``random`` and
``np.random`` states are never touched.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

Seed = int | Sequence[int]

SEED_FORMS = "a whole number >= 0, or such numbers joined by ':' (1:3 is replication 3 of base seed 1)"
"""What ``parse_seed`` accepts, for messages and help texts."""


def seed_sequence(seed: Seed) -> np.random.SeedSequence:
    """The root SeedSequence of a run: ``seed`` is an int or a tuple such as (base, replication)."""
    entropy = [int(seed)] if isinstance(seed, (int, np.integer)) else [int(s) for s in seed]
    if any(e < 0 for e in entropy):
        raise ValueError(f"seed must be made of non-negative integers, got {seed!r}")
    return np.random.SeedSequence(entropy)


def format_seed(seed: Seed) -> str:
    """A seed as the CLI takes it: ``7`` for an int, ``1:3`` for (1, 3), the seed of
    replication 3 of an experiment with base seed 1 (see :func:`parse_seed`)."""
    if isinstance(seed, (int, np.integer)):
        return str(int(seed))
    return ":".join(str(int(s)) for s in seed)


def parse_seed(text: str) -> int | tuple[int, ...]:
    """The inverse of :func:`format_seed`: ``"7"`` -> 7, ``"1:3"`` -> (1, 3). Raises
    ValueError naming the allowed forms."""
    parts = text.strip().split(":")
    if not all(p.strip().isdigit() and p.strip().isascii() for p in parts):
        raise ValueError(f"expected {SEED_FORMS}, got {text!r}")
    values = tuple(int(p) for p in parts)
    return values[0] if len(values) == 1 else values


class Streams:
    """Hands out one independent Generator per source name, the same for the same (seed, name)."""

    def __init__(self, seed: Seed):
        self.root = seed_sequence(seed)

    def __call__(self, name: str) -> np.random.Generator:
        key = (*self.root.spawn_key, zlib.crc32(name.encode()))
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(self.root.entropy, spawn_key=key))
        )
