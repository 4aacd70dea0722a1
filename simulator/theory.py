"""Closed forms of the textbook systems the model must reproduce (``shared/DOMAIN.md``).

Pure functions of their parameters (no scenario, no model): queues, inventory policies with
Poisson demand and constant lead times, and single stations working to a periodic calendar.
:mod:`simulator.validation` builds its cases from them; the notebooks use them for teaching.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate, stats

# ---------------------------------------------------------------- queues


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C), ``offered`` = lambda/mu."""
    rho = offered / servers
    if not 0 <= rho < 1:
        raise ValueError(f"M/M/c needs rho = lambda / (c mu) < 1, got {rho:g}")
    term = 1.0
    total = 0.0
    for k in range(servers):
        total += term
        term *= offered / (k + 1)
    tail = term / (1 - rho)  # a^c / (c! (1 - rho))
    return tail / (total + tail)


def mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue Wq of M/M/c: C(c, a) / (c mu - lambda)."""
    return erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)


def erlang_a(arrival_rate: float, service_rate: float, servers: int,
             abandonment_rate: float) -> float:
    """Share of arrivals that abandon an M/M/c+M queue (Erlang A; Palm 1943, Garnett,
    Mandelbaum and Reiman 2002): exponential patience of rate theta in queue, none in service.

    The number in system is a birth-death process: births lambda, deaths k mu up to c, then
    c mu + (k - c) theta. P(abandon) = theta E[Q] / lambda with E[Q] = sum_{k > c} (k - c) pi_k
    (the rate of abandonments over the rate of arrivals). Exact: the stationary distribution is
    summed until its terms fall below 1e-17 of the total (they fall faster than geometrically).
    Stable for any load, since impatient customers leave."""
    lam, mu, c, theta = arrival_rate, service_rate, servers, abandonment_rate
    if lam <= 0 or mu <= 0 or theta <= 0 or c < 1:
        raise ValueError("Erlang A needs lambda, mu, theta > 0 and c >= 1")
    term = 1.0  # pi_k / pi_0
    total = queued = 0.0
    k = 0
    while True:
        total += term
        queued += max(0, k - c) * term
        if k > c + lam / theta and term < 1e-17 * total:
            break
        k += 1
        term *= lam / (min(k, c) * mu + max(0, k - c) * theta)
    return theta * queued / total / lam


def mg1_wait(arrival_rate: float, service_mean: float, service_scv: float) -> float:
    """Pollaczek-Khinchine mean wait in queue of M/G/1:
    Wq = rho / (1 - rho) * (1 + cs^2) / 2 * E[S], with cs^2 the squared coefficient of variation."""
    rho = arrival_rate * service_mean
    if not 0 <= rho < 1:
        raise ValueError(f"M/G/1 needs rho < 1, got {rho:g}")
    return rho / (1 - rho) * (1 + service_scv) / 2 * service_mean


def mm1_base_stock(arrival_rate: float, service_rate: float, base_stock: int,
                   demand_lead_time: float) -> dict[str, float]:
    """Make-to-stock at one exponential stage (production-inventory M/M/1 queue, base stock S).

    Jobs at the stage N are geometric, P(N >= n) = rho^n: fill rate = 1 - rho^S,
    E[B] = E[(N - S)+] = rho^(S+1) / (1 - rho), E[on hand] = E[(S - N)+] = S - rho (1 - rho^S) /
    (1 - rho), mean delay = E[B] / lambda, P(delay <= D) = 1 - rho^S exp(-(mu - lambda) D)."""
    rho = arrival_rate / service_rate
    if not 0 <= rho < 1:
        raise ValueError(f"M/M/1 needs rho < 1, got {rho:g}")
    s = base_stock
    backorders = rho ** (s + 1) / (1 - rho)
    return {
        "fill_rate": 1 - rho**s,
        "backorders_mean": backorders,
        "inventory_codp_mean": s - rho * (1 - rho**s) / (1 - rho),
        "backorder_delay_mean": backorders / arrival_rate,
        "otif": 1 - rho**s * math.exp(-(service_rate - arrival_rate) * demand_lead_time),
    }


def mm1_within(arrival_rate: float, service_rate: float, demand_lead_time: float) -> float:
    """Make-to-order at one exponential stage: time in system ~ Exp(mu - lambda), so the share
    delivered within D is 1 - exp(-(mu - lambda) D)."""
    if arrival_rate >= service_rate:
        raise ValueError("M/M/1 needs lambda < mu")
    return 1 - math.exp(-(service_rate - arrival_rate) * demand_lead_time)


# ---------------------------------------------------------------- inventory (Poisson, constant L)
# Net inventory IN = (inventory position) - (lead-time demand). A unit demand is filled from
# stock iff IN >= 1 just before it (PASTA makes that the time-average chance); backorders are
# (IN)- and stock on hand (IN)+. Every result below is a mixture of Poisson lead-time demands.


def _below(y: np.ndarray, mean: float) -> np.ndarray:
    """E[(y - D)+] for D ~ Poisson(mean), integer y (any sign): sum_{k<y} (y - k) p_k
    = y P(D <= y-1) - mean P(D <= y-2), because k p_k = mean p_{k-1}."""
    return y * stats.poisson.cdf(y - 1, mean) - mean * stats.poisson.cdf(y - 2, mean)


def _check_poisson(arrival_rate: float, lead_time: float) -> None:
    if not arrival_rate > 0:
        raise ValueError(f"Poisson demand needs lambda > 0, got {arrival_rate:g}")
    if not lead_time >= 0:
        raise ValueError(f"the lead time must be >= 0, got {lead_time:g}")


def _stock_figures(arrival_rate: float, fill: float, on_hand: float,
                   backorders: float) -> dict[str, float]:
    return {"fill_rate": float(fill), "backorders_mean": float(backorders),
            "on_hand_mean": float(on_hand), "backorder_delay_mean": float(backorders / arrival_rate)}


def base_stock_poisson(arrival_rate: float, lead_time: float, base_stock: int) -> dict[str, float]:
    """Continuous-review base stock S, Poisson unit demand, constant lead time L.

    Lead-time demand D_L ~ Poisson(lambda L). Unit fill rate = P(D_L <= S - 1) (by PASTA, an
    arrival finds stock on hand iff fewer than S units are on order); E[B] = E[(D_L - S)+];
    E[on hand] = E[(S - D_L)+]; mean backorder delay per demand = E[B] / lambda (Little).
    The keys name the model's KPIs at the decoupling point (the (R,Q) case R = S-1, Q = 1)."""
    mean = arrival_rate * lead_time
    k = np.arange(base_stock)
    on_hand = float(np.sum((base_stock - k) * stats.poisson.pmf(k, mean)))
    backorders = on_hand - (base_stock - mean)  # (D-S)+ - (S-D)+ = D - S
    return {
        "fill_rate": float(stats.poisson.cdf(base_stock - 1, mean)),
        "backorders_mean": backorders,
        "inventory_codp_mean": on_hand,
        "backorder_delay_mean": backorders / arrival_rate,
    }


def rq_poisson(arrival_rate: float, lead_time: float, reorder_point: int,
               order_quantity: int) -> dict[str, float]:
    """Continuous review (R,Q): order Q whenever the inventory position falls to R.

    In steady state the position is uniform on {R+1, ..., R+Q}, independent of the lead-time
    demand D_L ~ Poisson(lambda L) (Zipkin ch. 6). With y over that set: fill rate =
    (1/Q) sum_y P(D_L <= y-1); E[B] = (1/Q) sum_y E[(D_L - y)+]; E[on hand] = (1/Q) sum_y
    E[(y - D_L)+]; mean backorder delay = E[B] / lambda. R may be negative (down to -Q)."""
    _check_poisson(arrival_rate, lead_time)
    if order_quantity < 1 or reorder_point < -order_quantity:
        raise ValueError(f"(R,Q) needs Q >= 1 and R >= -Q, got R={reorder_point}, Q={order_quantity}")
    mean = arrival_rate * lead_time
    y = np.arange(reorder_point + 1, reorder_point + order_quantity + 1)
    on_hand = _below(y, mean)
    return _stock_figures(arrival_rate, fill=np.mean(stats.poisson.cdf(y - 1, mean)),
                          on_hand=np.mean(on_hand), backorders=np.mean(on_hand - y + mean))


def ss_poisson(arrival_rate: float, lead_time: float, s: int, S: int) -> dict[str, float]:
    """(s,S): when the position falls to s or below, order up to S. With unit demand it falls to
    exactly s and the order is S - s, so this is (R,Q) with R = s, Q = S - s (batch demand would
    undershoot s and break that)."""
    if s >= S:
        raise ValueError(f"(s,S) needs S > s, got s={s}, S={S}")
    return rq_poisson(arrival_rate, lead_time, s, S - s)


def ts_poisson(arrival_rate: float, lead_time: float, review_period: float,
               S: int) -> dict[str, float]:
    """Periodic review (T,S): every T order up to S; Poisson unit demand, constant lead time L.

    A demand t after the arrival of a review's order (t uniform on [0, T) by PASTA) is covered by
    S against the demand over L + t since that review: fill rate = (1/T) integral_0^T
    P(D_{L+t} <= S-1) dt, E[on hand] = (1/T) integral E[(S - D_{L+t})+] dt and E[B] = E[on hand]
    - S + lambda (L + T/2). The integrals are smooth in t; quad makes them good to 1e-10."""
    _check_poisson(arrival_rate, lead_time)
    if not review_period > 0:
        raise ValueError(f"(T,S) needs T > 0, got {review_period:g}")

    def average(f: Callable[[float], float]) -> float:
        value, _ = integrate.quad(f, 0.0, review_period, epsabs=1e-11, epsrel=1e-11, limit=200)
        return value / review_period

    def mean(t: float) -> float:
        return arrival_rate * (lead_time + t)

    fill = average(lambda t: stats.poisson.cdf(S - 1, mean(t)))
    on_hand = average(lambda t: float(_below(np.array(S), mean(t))))
    backorders = on_hand - S + arrival_rate * (lead_time + review_period / 2)
    return _stock_figures(arrival_rate, fill, on_hand, backorders)


def _poisson_support(mean: float) -> np.ndarray:
    """0..n with P(D > n) far below 1e-16 (40 standard deviations and 40 units above the mean):
    sums over it are exact to double precision."""
    return np.arange(int(mean + 40 * math.sqrt(mean)) + 41)


def two_echelon_poisson(arrival_rate: float, plant_lead_time: float, plant_stock: int,
                        transit: float, dc_stock: int) -> dict[str, float]:
    """A distribution centre (base stock S1) fed one-for-one by a plant stock (base stock S0).

    Poisson demand lambda at the DC; each demand sends an order to the plant, which ships from
    stock (first come, first served) or backorders, and replenishes one-for-one with constant
    lead time L0; the shipment takes the constant transit L1. The plant sees Poisson demand, so
    its backorders are B0 = (D_{L0} - S0)+; a DC order placed at t arrives at t + L1 after those
    ahead of it at the plant, so the DC's net inventory is exactly S1 - D_{L1} - (D_{L0} - S0)+,
    the two demands independent (Axsaeter, Inventory Control, sec. 10.2). DC figures (fill rate,
    E[B], E[on hand], delay) come from the distribution of X = D_{L1} + B0, computed as a
    convolution; ``plant_*`` are the plant's own base-stock figures and ``dc_lead_time_mean`` is
    L1 + E[B0] / lambda, the DC's mean replenishment lead time."""
    _check_poisson(arrival_rate, plant_lead_time)
    _check_poisson(arrival_rate, transit)
    if plant_stock < 0 or dc_stock < 0:
        raise ValueError(f"base stocks must be >= 0, got S0={plant_stock}, S1={dc_stock}")
    m0, m1 = arrival_rate * plant_lead_time, arrival_rate * transit
    k0 = _poisson_support(m0)
    b0 = np.concatenate(([stats.poisson.cdf(plant_stock, m0)],
                         stats.poisson.pmf(k0[k0 > plant_stock], m0)))  # P(B0 = 0), P(B0 = 1), ...
    x = np.convolve(b0, stats.poisson.pmf(_poisson_support(m1), m1))  # P(X = 0), P(X = 1), ...
    plant_backorders = float(np.arange(len(b0)) @ b0)
    k = np.arange(min(dc_stock, len(x)))
    on_hand = float(np.sum((dc_stock - k) * x[k]))
    backorders = on_hand - dc_stock + m1 + plant_backorders  # E[(X - S1)+] = E[(S1 - X)+] - S1 + E[X]
    plant = base_stock_poisson(arrival_rate, plant_lead_time, plant_stock)
    return {
        **_stock_figures(arrival_rate, np.sum(x[:dc_stock]), on_hand, backorders),
        "plant_fill_rate": plant["fill_rate"],
        "plant_backorders_mean": plant["backorders_mean"],
        "plant_on_hand_mean": plant["inventory_codp_mean"],
        "dc_lead_time_mean": transit + plant_backorders / arrival_rate,
    }


# ---------------------------------------------------------------- calendars
# A station working only in its calendar's open hours: a job arriving while closed waits for the
# next opening, and work in progress pauses while closed (preemptive resume). A calendar here is
# periodic: open intervals [a, b) within a cycle of length C (a day, or a week of working days;
# holidays break the period and are not covered). f = open time / C.


def open_share(open_intervals: Sequence[tuple[float, float]], cycle: float) -> float:
    """f, the share of the cycle the calendar is open."""
    return _intervals(open_intervals, cycle)[2] / cycle


def calendar_busy_share(arrival_rate: float, service_mean: float, open_fraction: float,
                        servers: int = 1) -> float:
    """Long-run share of *open* time the servers are busy: lambda E[S] / (c f) (exact).

    Work (in open time) arrives at rate lambda E[S] and is done only while open, at up to c per
    unit of open time; the station is stable iff lambda E[S] < c f."""
    load = arrival_rate * service_mean / (servers * open_fraction)
    if not 0 <= load < 1:
        raise ValueError(f"a station open f={open_fraction:g} of the time needs lambda E[S] < c f, "
                         f"got lambda E[S] / (c f) = {load:g}")
    return load


def calendar_wait_fast(arrival_rate: float, service_mean: float, service_scv: float,
                       open_fraction: float) -> float:
    """Mean wait in queue of an M/G/1 station open f of the time, in the limit of fast
    alternation: when every job spans many open/closed cycles (E[S] >> C), the server is a
    server of speed f, an M/G/1 queue with service S / f (same cv). Not exact for finite C: the
    error is of order C / E[S] (tests/unit/test_theory.py measures it)."""
    calendar_busy_share(arrival_rate, service_mean, open_fraction)
    return mg1_wait(arrival_rate, service_mean / open_fraction, service_scv)


def calendar_wait_fluid(arrival_rate: float, service_mean: float, open_fraction: float,
                        cycle: float) -> float:
    """Mean wait of a single server open one interval of f C per cycle C, in the limit of slow
    alternation (C >> E[S] and the queue's relaxation time, lambda E[S] = rho < f fixed):
    the closed-hours backlog dominates and the queue behaves as a fluid. A job arriving u into
    the closed time c = (1 - f) C waits c - (1 - rho) u; the backlog rho c clears at rate 1 - rho
    after opening; averaging over the cycle gives W = (1 - f)^2 C / (2 (1 - rho)). The
    stochastic (M/G/1) part adds O(E[S]), so W / C converges; at finite C it is a lower bound
    in practice."""
    calendar_busy_share(arrival_rate, service_mean, open_fraction)
    rho = arrival_rate * service_mean
    return (1 - open_fraction) ** 2 * cycle / (2 * (1 - rho))


def _intervals(open_intervals: Sequence[tuple[float, float]],
               cycle: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Sorted open intervals -> (open-clock position where each closure starts, closure lengths,
    total open time). Adjacent intervals merge; closure j follows open interval j."""
    iv = sorted((float(a), float(b)) for a, b in open_intervals)
    if not iv or any(not 0 <= a < b <= cycle for a, b in iv):
        raise ValueError(f"open intervals must lie in [0, {cycle:g}) with start < end, got {iv}")
    merged: list[list[float]] = []
    for a, b in iv:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = np.array([a for a, _ in merged])
    ends = np.array([b for _, b in merged])
    closed = np.append(starts[1:], starts[0] + cycle) - ends  # closure after interval j
    opened = ends - starts
    return np.cumsum(opened), closed, float(opened.sum())


def calendar_sojourn(service_mean: float, service_sf: Callable[[np.ndarray], np.ndarray],
                     open_intervals: Sequence[tuple[float, float]], cycle: float) -> float:
    """Exact mean time from arrival to completion of a job needing S of open time at a station
    that never queues (unlimited servers), for arrivals at a uniformly random moment of a
    periodic calendar (Poisson arrivals, by PASTA). ``service_sf(x)`` = P(S > x).

    Measured in open time ("the open clock", o per cycle) the job runs from x to x + S and the
    real time adds every closure whose start it passes. An arrival while open (probability f)
    starts at a uniform open-clock point, so it passes each closure E[S] / o times on average:
    (1 - f) E[S] in all. An arrival during closure j (probability c_j / C) waits c_j / 2 on
    average, then starts at the opening after it and passes closure i after d_ji + k o of work
    (k = 0, 1, ...), d_ji the open time from that opening to closure i. So

        E[T] = (2 - f) E[S] + sum_j c_j^2 / (2C) + sum_j sum_i (c_j c_i / C) sum_k P(S > d_ji + k o).

    With a short cycle (fast alternation) this tends to E[S] / f."""
    ends, closed, total_open = _intervals(open_intervals, cycle)
    f = total_open / cycle
    after = ends[:, None] - ends[None, :]  # d_ji: closure i (rows) from the opening after j
    after = np.where(after <= 0, after + total_open, after)  # in (0, o]
    passes = 0.0
    for k in range(1_000_000):
        term = service_sf(after + k * total_open)
        passes += float(np.sum(closed[:, None] * closed[None, :] * term))
        if np.max(term) < 1e-16:
            break
    return (2 - f) * service_mean + float(np.sum(closed**2)) / (2 * cycle) + passes / cycle
