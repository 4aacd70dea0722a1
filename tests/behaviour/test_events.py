"""Disruptions (events:) and the resilience KPIs: what each effect does to a run, that a run
without events is untouched, and that the KPIs react the right way (docs/events.md)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.kpis import finite_or_none
from simulator.records import REASONS

TWO_ECHELON = "scenarios/validation/two_echelon.yaml"
START, DAYS = 100.0, 80.0


def _outage(**extra):
    return {"warmup_days": 20, "horizon_days": 220,
            "network.stock_points.plant_stock.target": 30, **extra}


def _levels(result, buffer):
    lv = result.level_columns
    key = result.level_keys.index((buffer, "unit"))
    sel = lv["key"] == key
    return lv["time"][sel], lv["on_hand"][sel], lv["backordered"][sel]


def test_outage_longer_than_coverage_backorders_only_after_the_stock_is_used_up():
    """The vendor delivers nothing for 80 days; the plant's stock (about 25 units at 1 a day)
    covers part of it: no backorder until the stock on hand at the start is used up, then
    backorders; the same seed without the outage has none then."""
    event = {"events": {"fire": {"effect": "outage", "target": "vendor", "start": START,
                                 "duration": DAYS}}}
    plain = simulate(load_scenario(TWO_ECHELON, _outage()), 1)
    hit = simulate(load_scenario(TWO_ECHELON, _outage(**event)), 1)
    window = (START, START + DAYS)

    t, on_hand, back = _levels(plain, "plant_stock")
    inside = (t >= window[0]) & (t < window[1])
    assert back[inside].max() == 0  # without the outage the stock never runs out here

    t, on_hand, back = _levels(hit, "plant_stock")
    inside = (t >= window[0]) & (t < window[1])
    at_start = on_hand[t < START][-1]
    assert at_start > 10
    assert (np.diff(on_hand[inside]) <= 0).all()  # nothing arrives while it lasts
    first = np.flatnonzero(inside & (back > 0))[0]
    assert on_hand[first - 1] == 0 and on_hand[first] == 0  # only once the stock is gone
    issued = at_start - on_hand[first]
    assert issued == at_start  # every unit on hand at the start went to demand first
    measured = hit.kpis["time_to_survive"]["plant_stock"]
    assert measured == pytest.approx(t[first] - START)
    # Expected coverage: on hand / the plan's rate (1 a day); Poisson noise around it.
    assert hit.kpis["time_to_survive_expected"]["plant_stock"] == pytest.approx(at_start)
    assert 0.5 * at_start < measured < 2 * at_start
    # What was due in the outage arrives at its end: the supplier records say why.
    reasons = hit.jobs["reason"].astype(str)
    assert (reasons == "outage").any() and not (plain.jobs["reason"].astype(str) == "outage").any()
    assert hit.kpis["backorders_mean"] > plain.kpis["backorders_mean"]


def _stop(servers: int):
    return {"horizon_days": 240,
            "chain.stages.fabrication.servers": servers,
            "chain.stages.assembly.servers": servers,
            "events": {"strike": {"effect": "stop", "target": "plant", "start": 150,
                                  "duration": 21}}}


def test_time_to_recover_shrinks_with_more_capacity(default_scenario):
    """The whole plant stops for three weeks; with more servers making components and pumps
    the backlog clears sooner (measured: 61 and 31 days with seed 1)."""
    ttr = {}
    for servers in (2, 4):
        result = simulate(load_scenario("default", _stop(servers)), 1)
        assert result.kpis["disruptions"] == 1
        ttr[servers] = result.kpis["time_to_recover"]
        assert result.kpis["peak_backlog"] > result.resilience.occurrences["band_backlog"][0]
    assert np.isfinite(ttr[4]) and np.isfinite(ttr[2])
    assert ttr[4] < ttr[2]


def test_no_events_or_an_empty_section_is_bit_identical(default_scenario):
    short = {"horizon_days": 60}
    base = simulate(load_scenario("default", short), 1).kpis
    empty = simulate(load_scenario("default", {**short, "events": {}}), 1).kpis
    base.pop("wall_seconds"), empty.pop("wall_seconds")
    assert finite_or_none(base) == finite_or_none(empty)  # NaN as null: NaN != NaN
    assert "time_to_recover" not in base  # no resilience KPIs without events


def test_before_the_event_a_run_is_as_without_it():
    """Common random numbers: the event's draws come from its own streams, so everything that
    ends before it starts is the same."""
    short = {"horizon_days": 60}
    event = {"events": {"stop": {"effect": "stop", "target": "assembly", "start": 80,
                                 "duration": 5}}}
    a = simulate(load_scenario("default", short), 1).steps
    b = simulate(load_scenario("default", {**short, **event}), 1).steps
    a, b = a[a["end"] < 80].reset_index(drop=True), b[b["end"] < 80].reset_index(drop=True)
    assert len(a) > 1000
    assert a.equals(b)


def test_random_events_reproducible_per_seed():
    over = {"horizon_days": 120,
            "events": {"jams": {"effect": "late", "target": "distribution", "rate_per_year": 12,
                                "duration": {"dist": "exponential", "mean": 5},
                                "extra_delay": {"dist": "uniform", "low": 1, "high": 3}}}}
    sc = load_scenario("default", over)
    one, again, other = simulate(sc, 1), simulate(sc, 1), simulate(sc, 2)
    assert one.records.events == again.records.events
    assert one.kpis["otif"] == again.kpis["otif"]
    assert one.records.events != other.records.events
    assert len(one.records.events) >= 1
    assert all(e[1] == "late" and e[2] == "distribution" for e in one.records.events)


def test_stopped_station_records_why():
    over = {"horizon_days": 60,
            "events": {"stop": {"effect": "stop", "target": "assembly", "start": 70,
                                "duration": 5}}}
    steps = simulate(load_scenario("default", over), 1).steps
    stopped = steps[steps["reason"] == "stopped"]
    assert "stopped" in REASONS and len(stopped) > 0
    assert (stopped["resource"].astype(str) == "assembly").all()
    assert (stopped["start"] >= 75 - 1e-9).all()  # work started only once it ended


def test_demand_surge_and_drop_for_one_product():
    product = "P100"
    base = {"horizon_days": 100}
    window = {"start": 80, "duration": 40}

    def inquiries(factor):
        event = {"events": {"d": {"effect": "demand", "factor": factor, "products": [product],
                                  **window}}}
        o = simulate(load_scenario("default", {**base, **event}), 1).orders
        inside = (o["inquiry"] >= 80) & (o["inquiry"] < 120)
        return (inside & (o["product"] == product)).sum(), (inside & (o["product"] != product)).sum()

    plain = simulate(load_scenario("default", base), 1).orders
    inside = (plain["inquiry"] >= 80) & (plain["inquiry"] < 120)
    ours = plain["product"] == product
    mine, others = (inside & ours).sum(), (inside & ~ours).sum()
    up, up_others = inquiries(3.0)
    down, down_others = inquiries(0.25)
    assert up > 2 * mine and down < 0.5 * mine
    assert down_others == others  # a drop leaves the other products' inquiries alone
    assert abs(up_others - others) < 0.2 * others


def test_staff_away_lengthens_waits():
    base = {"horizon_days": 90}
    event = {"events": {"flu": {"effect": "staff", "target": "sales", "staff": 2, "start": 70,
                                "duration": 20}}}

    def wait(over):
        s = simulate(load_scenario("default", over), 1).steps
        s = s[(s["queued"] >= 70) & (s["queued"] < 90) & (s["resource"].astype(str) == "sales")]
        return s["wait"].mean()

    assert wait({**base, **event}) > 2 * wait(base)


def test_a_closed_calendar_closes_everyone_keeping_it():
    over = {"horizon_days": 90, "calendars.office": {}, "departments.sales.calendar": "office",
            "events": {"strike": {"effect": "closed", "target": "office", "start": 70,
                                  "duration": 5}}}
    steps = simulate(load_scenario("default", over), 1).steps
    sales = steps[steps["resource"].astype(str) == "sales"]
    worked = sales[(sales["end"] > sales["start"])]
    assert not ((worked["start"] < 75) & (worked["end"] > 70)).any()  # nobody worked in it
    held = sales[(sales["reason"] == "closed")]
    assert len(held) > 0 and (held["start"] >= 75 - 1e-9).all()
    assert not (steps[steps["resource"].astype(str) != "sales"]["reason"] == "closed").any()


def test_a_late_supplier_delivers_extra_delay_later_only_while_it_lasts():
    over = _outage(events={"slow": {"effect": "late", "target": "vendor", "start": START,
                                    "duration": 20, "extra_delay": 3}})
    jobs = simulate(load_scenario(TWO_ECHELON, over), 1).jobs
    deliveries = jobs[jobs["resource"].astype(str) == "vendor"]
    took = (deliveries["end"] - deliveries["queued"]).to_numpy()
    ordered = deliveries["queued"].to_numpy()
    inside = (ordered >= START) & (ordered < START + 20)
    assert inside.sum() > 5
    assert np.allclose(took[inside], 5 + 3) and np.allclose(took[~inside], 5)


def test_undefined_resilience_kpis_say_why():
    """Never a flattering number: an outage to the horizon's end never recovers; one starting
    right after warm-up has no pre-event band."""
    endless = _outage(events={"fire": {"effect": "outage", "target": "vendor", "start": 150,
                                       "duration": 500}})
    r = simulate(load_scenario(TWO_ECHELON, endless), 1)
    row = r.resilience.occurrences.iloc[0]
    assert np.isnan(r.kpis["time_to_recover"]) and "not recovered by day 240" in row["why"]
    assert r.kpis["peak_backorders"] > 0
    early = _outage(events={"fire": {"effect": "outage", "target": "vendor", "start": 22,
                                     "duration": 5}})
    r = simulate(load_scenario(TWO_ECHELON, early), 1)
    assert np.isnan(r.kpis["time_to_recover"]) and np.isnan(r.kpis["extra_cost_event"])
    assert "no pre-event band" in r.resilience.occurrences["why"].iloc[0]


def test_a_run_overloaded_before_the_event_has_undefined_resilience_kpis():
    """ETO on the default scenario: sales cannot quote the engineering (every inquiry of the
    pre-event band still waits for its quote at the end). Before, the few accepted orders read
    as a flat 100% rolling OTIF and every resilience KPI as 0; now the inquiries never quoted
    are late at inquiry + D, and the KPIs are undefined, saying why."""
    over = {"decoupling_point": "eto", "horizon_days": 80,
            "events": {"strike": {"effect": "stop", "target": "plant", "start": 100,
                                  "duration": 14}}}
    r = simulate(load_scenario("default", over), 1)
    assert "overload" in {w["code"] for w in r.kpis["warnings"]}
    for kpi in ("time_to_recover", "peak_backlog", "orders_late_event", "extra_cost_event"):
        assert np.isnan(r.kpis[kpi]), kpi
    assert "overloaded before the event" in r.resilience.occurrences["why"].iloc[0]
    around = r.around_events()
    assert around["otif_rolling"].max() < 0.25  # failing, as otif says: not a perfect trickle
    assert r.kpis["otif"] < 0.05
