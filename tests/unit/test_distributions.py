"""Every distribution's sampler agrees with its declared mean and variance.

Tolerances are confidence bounds: 5 standard errors of the sample mean and of the sample
variance (the latter estimated from the sample's fourth moment), so a wrong parameter convention
fails while sampling noise does not.
"""

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from simulator.distributions import Distribution

N = 200_000
SPECS = [
    {"dist": "constant", "value": 2.5},
    {"dist": "exponential", "mean": 3.0},
    {"dist": "uniform", "low": 1.0, "high": 4.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
    {"dist": "normal", "mean": 5.0, "sd": 1.0},
    {"dist": "normal", "mean": 0.5, "sd": 1.0},  # heavily truncated at 0
    {"dist": "lognormal", "mean": 2.0, "cv": 0.5},
    {"dist": "lognormal", "mean": 1.0, "cv": 1.5},
    {"dist": "gamma", "mean": 2.0, "cv": 0.5},
    {"dist": "gamma", "mean": 0.3, "cv": 2.0},
    {"dist": "empirical", "values": [1, 2, 5], "weights": [0.5, 0.3, 0.2]},
    {"dist": "empirical", "values": [0, 10]},
]
ADAPTER = TypeAdapter(Distribution)


def sample(spec, n=N, seed=7):
    draw = ADAPTER.validate_python(spec).sampler(np.random.default_rng(seed))
    return np.array([draw() for _ in range(n)])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['dist']}-{list(s.values())[1:]}")
def test_mean_and_variance_match_the_spec(spec):
    dist = ADAPTER.validate_python(spec)
    x = sample(spec)
    assert (x >= 0).all()
    mean, var = dist.mean(), dist.variance()
    se_mean = math.sqrt(var / N)
    assert abs(x.mean() - mean) <= 5 * se_mean + 1e-12
    dev2 = (x - x.mean()) ** 2
    se_var = dev2.std() / math.sqrt(N)
    assert abs(x.var(ddof=1) - var) <= 5 * se_var + 1e-12


def test_cv_parameterisation_is_by_mean_and_cv():
    d = ADAPTER.validate_python({"dist": "gamma", "mean": 4.0, "cv": 0.25})
    assert d.mean() == 4.0
    assert math.isclose(d.cv(), 0.25)


def test_a_bare_number_is_a_constant():
    d = ADAPTER.validate_python(1.5)
    assert d.dist == "constant"
    assert d.mean() == 1.5


def test_same_generator_seed_gives_same_draws():
    assert (sample(SPECS[1], 100, seed=3) == sample(SPECS[1], 100, seed=3)).all()
    assert not (sample(SPECS[1], 100, seed=3) == sample(SPECS[1], 100, seed=4)).all()


@pytest.mark.parametrize("spec", [s for s in SPECS if s["dist"] != "normal" or s["mean"] > 3])
def test_draws_do_not_depend_on_the_batch_sizes(spec, monkeypatch):
    """Samplers draw in growing batches; the values are those of one long batch (what keeps
    results the same whatever the batch sizes), and ``sample`` gives the sampler's first ones.
    (The heavily truncated normal redraws negatives per batch: its values depend on them.)"""
    import simulator.distributions as dists

    d = TypeAdapter(Distribution).validate_python(spec)
    runs = []
    for first in (1, 16, dists.BATCH):
        monkeypatch.setattr(dists, "FIRST_BATCH", first)
        draw = d.sampler(np.random.default_rng(7))
        runs.append([draw() for _ in range(5000)])
    assert runs[0] == runs[1] == runs[2]
    assert d.sample(np.random.default_rng(7), 5000) == runs[0]


@pytest.mark.parametrize("spec", [s for s in SPECS if s["dist"] == "empirical"])
def test_empirical_draws_are_numpys_choice(spec):
    """The empirical sampler works out its cumulative weights once; its draws are exactly
    ``Generator.choice(values, n, p=weights)``'s, which the golden runs were pinned with."""
    d = TypeAdapter(Distribution).validate_python(spec)
    p = np.asarray(spec.get("weights", [1] * len(spec["values"])), dtype=float)
    expected = np.random.default_rng(11).choice(np.asarray(spec["values"], dtype=float), 3000,
                                                p=p / p.sum())
    assert d.sample(np.random.default_rng(11), 3000) == expected.tolist()


@pytest.mark.parametrize("bad", [
    {"dist": "uniform", "low": 3, "high": 1},
    {"dist": "triangular", "low": 1, "mode": 5, "high": 2},
    {"dist": "exponential", "mean": -1},
    {"dist": "gamma", "mean": 1, "cv": 0},
    {"dist": "empirical", "values": [1, 2], "weights": [1]},
    {"dist": "weibull", "mean": 1},
    {"dist": "exponential", "mean": 1, "rate": 2},
])
def test_invalid_specs_are_refused(bad):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(bad)
