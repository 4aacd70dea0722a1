"""The decoupling-point advisor: its verdicts, on made-up runs and on a real sweep."""

import numpy as np
import pandas as pd
import pytest

from simulator.experiment import VERDICTS, advise, assess, lower_bound
from simulator.plan import compile_plan


def made_up_runs(otif: dict, cost: dict, stock: dict, n: int = 6) -> pd.DataFrame:
    """Runs of one D column: OTIF and cost per strategy, with a little spread."""
    spread = np.linspace(-1, 1, n)
    buffers = {"mts": "finished_goods", "ato": "components", "mto": "raw_material",
               "eto": "none"}
    rows = []
    for s, (mean, sd) in otif.items():
        for r in range(n):
            rows.append({"strategy": s, "decoupling_point": buffers[s], "pd": 2.0,
                         "demand_lead_time": 5.0, "replication": r, "error": None,
                         "otif": mean + sd * spread[r], "cost_total": cost[s] + 10 * spread[r],
                         "inventory_value_mean": stock[s], "cost_holding": stock[s] / 10,
                         "orders_lost": 2 if s == "eto" else 0, "inquiries": 100,
                         "cycle_time_mean": 3.0})
    return pd.DataFrame(rows)


def test_verdicts_on_made_up_runs():
    runs = made_up_runs(
        otif={"mts": (0.99, 0.005), "ato": (0.975, 0.005), "mto": (0.95, 0.03),
              "eto": (0.60, 0.05)},
        cost={"mts": 1500, "ato": 1000, "mto": 900, "eto": 800},
        stock={"mts": 900, "ato": 400, "mto": 100, "eto": 0})
    table, recs = assess(runs, 0.96)
    verdict = table.set_index("strategy")["verdict"]
    assert verdict.to_dict() == {"mts": "too much stock", "ato": "recommended",
                                 "mto": "not proven", "eto": "too slow"}
    assert set(verdict) <= set(VERDICTS)
    assert recs.iloc[0]["recommended"] == "ato"
    ato = table.set_index("strategy").loc["ato"]
    assert ato["otif_lower"] == pytest.approx(lower_bound(runs[runs.strategy == "ato"]["otif"]))
    mts = table.set_index("strategy").loc["mts"]
    assert mts["cost_diff"] == pytest.approx(500) and "900" in mts["reason"]
    assert "2% of inquiries lost" in table.set_index("strategy").loc["eto", "reason"]


def test_nothing_meets_the_target():
    runs = made_up_runs(otif={"mts": (0.80, 0.01), "mto": (0.5, 0.01)},
                        cost={"mts": 1, "mto": 1}, stock={"mts": 1, "mto": 1})
    table, recs = assess(runs, 0.95)
    assert recs.iloc[0]["recommended"] is None
    assert "best is mts" in recs.iloc[0]["reason"]
    assert set(table["verdict"]) == {"too slow"}


def test_advise_on_a_real_sweep(small):
    advice = advise(small, 0.9, [1, 4], strategies="mts,ato,mto", reps=4, workers=2)
    table = advice.table
    assert len(table) == 6 and len(advice.recommendations) == 2
    for _, rec in advice.recommendations.iterrows():
        column = table[table["pd"] == rec["pd"]]
        meets = column[column["otif_lower"] >= 0.9]
        assert set(meets["strategy"]) == set(column.loc[column["meets_target"], "strategy"])
        if rec["recommended"] is None:
            assert meets.empty
        else:
            # The recommendation meets the target and no qualifying point is cheaper.
            assert rec["recommended"] in set(meets["strategy"])
            assert rec["cost_mean"] == meets["cost_mean"].min()
        fails = column[~column["meets_target"]]
        assert fails["verdict"].isin(["too slow", "not proven"]).all()


def test_advise_at_the_scenarios_own_demand_lead_times(small):
    advice = advise(small, 0.9, strategies="mts,mto", reps=2, workers=1)
    assert len(advice.recommendations) == 1
    rec = advice.recommendations.iloc[0]
    assert rec["demand_lead_time"] == small.mean_demand_lead_time
    assert rec["pd"] == compile_plan(small).pd_ratio
