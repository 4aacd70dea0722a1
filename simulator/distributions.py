"""Distribution specifications and fast samplers.

A scenario names a distribution as a small mapping, e.g. ``{dist: exponential, mean: 2.0}``.
Every spec knows its own theoretical ``mean()`` and ``variance()`` (used for planned lead times,
P:D and the tests) and builds a sampler: a function returning one draw per call from one numpy
Generator.

Conventions are stated once here, by *mean* and *coefficient of variation* for the skewed families
(lognormal, gamma), never by numpy's or scipy's internal parameters.

Every parameter is a finite number (never NaN, infinity or true/false) within stated bounds, so
that every spec can be sampled in bounded time and its mean and variance never overflow.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

LARGEST = 1e6
"""Upper bound of every distribution parameter (days or units): a million days is 2,700 years,
far beyond any horizon; larger values are typos, and their squares overflow."""

CV_RANGE = (1e-6, 100.0)
"""Coefficients of variation of lognormal and gamma: below 1e-6 the gamma shape 1/cv^2 overflows,
above 100 the draws are all but a few zeros and huge outliers."""

NORMAL_MIN_Z = -3.0
"""A normal truncated at 0 needs mean >= -3 sd: its negative draws are redrawn, and beyond that
fewer than 0.14% of draws are kept (sampling would all but hang)."""


def refuse_booleans(data, path: str = ""):
    """Raise ValueError naming the first true/false in ``data`` (values and keys, nested).

    No field of a scenario is a boolean, while pydantic's lax mode reads true as 1 and YAML 1.1
    reads yes/no/on/off as booleans: both are refused here, once, before validation."""
    if isinstance(data, bool):
        raise ValueError(f"{path or '(value)'}: expected a number or text, not {str(data).lower()}")
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(
        data, list) else ()
    for key, value in items:
        if isinstance(key, bool):
            raise ValueError(f"{path or '(top level)'}: a key reads as {str(key).lower()}; quote it "
                             "(YAML reads unquoted yes, no, on, off, true and false as booleans)")
        refuse_booleans(value, f"{path}.{key}" if path else str(key))
    return data

# Draws are made in numpy batches and handed out from a Python list: about twice as fast as
# one numpy call per draw (PERFORMANCE.md) while keeping one seeded numpy stream per source.
BATCH = 2048
FIRST_BATCH = 16


def batched(draw_batch: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """A draw function that hands out the values of ``draw_batch(n)`` one at a time, in order,
    drawing the next batch when one runs out.

    The hand-out is a generator's ``__next__``: it runs no Python code per draw, only per batch
    (2.5 times faster than a method call per draw). Batches grow from ``FIRST_BATCH`` to
    ``BATCH`` by doubling: the large network has 474 samplers, most drawn fewer than 200 times
    a month, and a full first batch each held 30 MB of floats that crowded the CPU's cache
    (benchmarks/bench_network.py). numpy's Generator draws a batch of n as n draws in a row, so
    the values do not depend on the batch sizes (the golden runs pin them); only the truncated
    normal's redraws of negative values do, within the seeded stream."""

    def draws():
        n = FIRST_BATCH
        while True:
            yield from draw_batch(n).tolist()
            if n < BATCH:
                n *= 2

    return draws().__next__


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data):
        return refuse_booleans(data)

    def mean(self) -> float:
        raise NotImplementedError

    def variance(self) -> float:
        raise NotImplementedError

    def cv(self) -> float:
        m = self.mean()
        return math.sqrt(self.variance()) / m if m > 0 else 0.0

    def is_zero(self) -> bool:
        return False

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        """A function returning one draw per call, from ``rng``."""
        return batched(self._batch_fn(rng))

    def sample(self, rng: np.random.Generator, n: int) -> list[float]:
        """``n`` draws from ``rng`` at once: what ``sampler(rng)`` hands out first."""
        return self._batch_fn(rng)(n).tolist()

    def _batch_fn(self, rng):
        raise NotImplementedError


class Constant(_Spec):
    """Always ``value``."""

    dist: Literal["constant"] = "constant"
    value: float = Field(ge=0, le=LARGEST)

    def mean(self):
        return self.value

    def variance(self):
        return 0.0

    def is_zero(self):
        return self.value == 0

    def sampler(self, rng):
        # Nothing to draw: a C-level callable returning the value (zero-time steps and fixed
        # lead times are common).
        return itertools.repeat(float(self.value)).__next__

    def sample(self, rng, n):
        return [float(self.value)] * n


class Exponential(_Spec):
    """Exponential with the given ``mean`` (rate = 1/mean)."""

    dist: Literal["exponential"] = "exponential"
    mean_: float = Field(gt=0, le=LARGEST, alias="mean")

    def mean(self):
        return self.mean_

    def variance(self):
        return self.mean_**2

    def _batch_fn(self, rng):
        m = self.mean_
        return lambda n: rng.exponential(m, n)


class Uniform(_Spec):
    """Uniform on [low, high]."""

    dist: Literal["uniform"] = "uniform"
    low: float = Field(ge=0, le=LARGEST)
    high: float = Field(ge=0, le=LARGEST)

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"uniform needs low <= high, got low={self.low}, high={self.high}")
        return self

    def mean(self):
        return (self.low + self.high) / 2

    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def _batch_fn(self, rng):
        lo, hi = self.low, self.high
        return lambda n: rng.uniform(lo, hi, n)


class Triangular(_Spec):
    """Triangular on [low, high] with peak at ``mode``."""

    dist: Literal["triangular"] = "triangular"
    low: float = Field(ge=0, le=LARGEST)
    mode: float = Field(ge=0, le=LARGEST)
    high: float = Field(ge=0, le=LARGEST)

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                "triangular needs low <= mode <= high and low < high, "
                f"got low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def mean(self):
        return (self.low + self.mode + self.high) / 3

    def variance(self):
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def _batch_fn(self, rng):
        a, c, b = self.low, self.mode, self.high
        return lambda n: rng.triangular(a, c, b, n)


class Normal(_Spec):
    """Normal(mean, sd) truncated at 0: negative draws are redrawn, so mean() and variance()
    are those of the truncated distribution, not the parameters."""

    dist: Literal["normal"] = "normal"
    mu: float = Field(ge=-LARGEST, le=LARGEST, alias="mean")
    sd: float = Field(ge=0, le=LARGEST)

    @model_validator(mode="after")
    def _reachable(self):
        if self.sd == 0 and self.mu < 0:
            raise ValueError("normal with sd=0 needs mean >= 0")
        if self.sd > 0 and self.mu < NORMAL_MIN_Z * self.sd:
            raise ValueError(f"normal truncated at 0 needs mean >= {NORMAL_MIN_Z:g} * sd (below, "
                             f"almost every draw is cut), got mean={self.mu}, sd={self.sd}")
        return self

    def _alpha_lambda(self):
        alpha = -self.mu / self.sd
        phi = math.exp(-alpha * alpha / 2) / math.sqrt(2 * math.pi)
        survival = 0.5 * math.erfc(alpha / math.sqrt(2))
        return alpha, phi / survival

    def mean(self):
        if self.sd == 0:
            return self.mu
        _, lam = self._alpha_lambda()
        return self.mu + self.sd * lam

    def variance(self):
        if self.sd == 0:
            return 0.0
        alpha, lam = self._alpha_lambda()
        # lam is 0 when the cut is negligible (alpha -> -inf): avoid inf * 0.
        return self.sd**2 * (1 + (alpha * lam if lam else 0.0) - lam * lam)

    def _batch_fn(self, rng):
        mu, sd = self.mu, self.sd

        def draw(n):
            x = rng.normal(mu, sd, n)
            bad = x < 0
            while bad.any():
                x[bad] = rng.normal(mu, sd, int(bad.sum()))
                bad = x < 0
            return x

        return draw


class LogNormal(_Spec):
    """Lognormal with the given ``mean`` and coefficient of variation ``cv``."""

    dist: Literal["lognormal"] = "lognormal"
    mean_: float = Field(gt=0, le=LARGEST, alias="mean")
    cv_: float = Field(ge=CV_RANGE[0], le=CV_RANGE[1], alias="cv")

    def mean(self):
        return self.mean_

    def variance(self):
        return (self.cv_ * self.mean_) ** 2

    def _batch_fn(self, rng):
        s2 = math.log1p(self.cv_**2)
        mu, sigma = math.log(self.mean_) - s2 / 2, math.sqrt(s2)
        return lambda n: rng.lognormal(mu, sigma, n)


class Gamma(_Spec):
    """Gamma with the given ``mean`` and coefficient of variation ``cv`` (shape = 1/cv^2)."""

    dist: Literal["gamma"] = "gamma"
    mean_: float = Field(gt=0, le=LARGEST, alias="mean")
    cv_: float = Field(ge=CV_RANGE[0], le=CV_RANGE[1], alias="cv")

    def mean(self):
        return self.mean_

    def variance(self):
        return (self.cv_ * self.mean_) ** 2

    def _batch_fn(self, rng):
        shape = 1 / self.cv_**2
        scale = self.mean_ / shape
        return lambda n: rng.gamma(shape, scale, n)


class Empirical(_Spec):
    """Draws one of ``values``, with ``weights`` (default: equally likely)."""

    dist: Literal["empirical"] = "empirical"
    values: list[float] = Field(min_length=1, max_length=100_000)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self):
        if any(not 0 <= v <= LARGEST for v in self.values):
            raise ValueError(f"empirical values must be in [0, {LARGEST:g}]")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"empirical needs one weight per value: {len(self.values)} values, "
                    f"{len(self.weights)} weights"
                )
            if any(not 0 <= w <= LARGEST for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError(f"empirical weights must be in [0, {LARGEST:g}] with a "
                                 "positive sum")
        return self

    def _p(self):
        if self.weights is None:
            return np.full(len(self.values), 1 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def mean(self):
        return float(np.dot(self._p(), self.values))

    def variance(self):
        v = np.asarray(self.values, dtype=float)
        return float(np.dot(self._p(), (v - self.mean()) ** 2))

    def is_zero(self):
        return all(v == 0 for v in self.values)

    def _batch_fn(self, rng):
        # rng.choice(v, n, p=p) exactly, its cumulative weights worked out once instead of per
        # batch with the checks of p (13 us a call against 2 us; the same values).
        v, cdf = np.asarray(self.values, dtype=float), self._p().cumsum()
        cdf /= cdf[-1]
        return lambda n: v[cdf.searchsorted(rng.random(n), side="right")]


def _number_is_constant(value):
    # A bare number in a scenario ("time: 0.5") means a constant.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


Distribution = Annotated[
    Constant | Exponential | Uniform | Triangular | Normal | LogNormal | Gamma | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_number_is_constant),
]
"""Any distribution spec; YAML picks the family with its ``dist`` key, a bare number is a constant."""

ZERO = Constant(value=0)
