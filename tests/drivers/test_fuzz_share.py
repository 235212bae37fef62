"""The suite's share of the benchmark's codec fuzzing: every codec, a few thousand mutated inputs each."""
from __future__ import annotations

import pytest

from bench import fuzz_drivers


@pytest.mark.parametrize("target", sorted(fuzz_drivers.TARGETS))
def test_no_codec_raises_anything_but_its_typed_errors(target):
    count, failures = fuzz_drivers.fuzz(target, 3000, seed=11)
    assert count == 0, failures


def test_the_mutator_reaches_the_edges():
    import random

    rng = random.Random(3)
    outputs = [fuzz_drivers.mutate(rng, fuzz_drivers.SEEDS_RESPONSES) for _ in range(500)]
    assert any(len(o) == 0 for o in outputs)  # random inputs include the empty one
    assert len(set(outputs)) > 400
