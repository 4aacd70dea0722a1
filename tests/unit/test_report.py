"""The HTML report (simulator.report, ``omcsim report``): every KPI with its definition, the
warnings, the charts with Vega inlined (no script or style from elsewhere), the traced orders
and the provenance; bad arguments end in one readable message and exit code 2."""

import re

import pytest

from simulator import format as fmt
from simulator import load_scenario, simulate
from simulator._version import __version__
from simulator.cli import main
from simulator.kpis import kpi_table
from simulator.report import report_orders, run_report
from simulator.trace import TraceError, pick_order

SHORT = {"horizon_days": 40, "warmup_days": 5, "customers.*.demand_lead_time": 4}  # some late


@pytest.fixture(scope="module")
def result():
    return simulate(load_scenario("default", SHORT), 3)


@pytest.fixture(scope="module")
def page(result):
    return run_report(result, command=["omcsim", "report", "default"])


def test_every_kpi_reads_with_its_definition(result, page):
    for row in kpi_table(result.kpis).itertuples(index=False):
        assert f"<b>{row.label}</b>" in page or f"<b>{row.label.replace('&', '&amp;')}</b>" in page
        text = fmt.format_value(row.kpi, row.value) if fmt.is_number(row.value) else \
            fmt.explain_na(row.kpi)
        assert text.replace("&", "&amp;") in page


def test_provenance_and_resolved_scenario(result, page):
    assert f"{__version__} (model code" in page
    assert "omcsim report default" in page
    assert result.scenario.to_yaml().splitlines()[0] in page


def test_a_late_and_a_typical_order_are_traced_by_default(result, page):
    picked = report_orders(result)
    assert picked[0] == pick_order(result, "late") and len(picked) == 2
    for oid in picked:
        assert f"<h3>Order {oid}</h3>" in page


def test_charts_are_inlined_and_nothing_is_fetched(page):
    assert page.count('class="chart"') >= 6 + 1  # run, war room, breakdown, two Gantt charts
    assert "window.vegaEmbed" in page  # the library itself, not a link to it
    # Past the inlined library (whose code holds such strings), no tag loads anything.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page.split("</script>", 1)[1])


def test_a_named_order_that_does_not_exist_is_refused(result):
    with pytest.raises(TraceError, match="no order"):
        report_orders(result, [10**7])


def test_comparison_shows_alternatives_and_differences(result):
    mts = simulate(result.scenario.with_overrides(decoupling_point="mts"), 3)
    page = run_report(result, alternatives={"mts": mts})
    assert "<th>mts − default</th>" in page
    assert fmt.format_delta("fill_rate", mts.kpis["fill_rate"], result.kpis["fill_rate"]) in page


def test_cli_writes_the_report(tmp_path, capsys):
    out = tmp_path / "r" / "report.html"
    assert main(["report", "default", "--days", "40", "--seed", "2", "--order", "3", "--out",
                 str(out), "--quiet", "--alt", "edd: priority_rule=edd"]) == 0
    text = out.read_text()
    assert "<h3>Order 3</h3>" in text and "edd − default" in text
    assert "report written to" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--out", "report.txt"], "ending in .html"),
    (["--out", "r.html", "--order", "-1"], "whole number"),
    (["--out", "r.html", "--order", "99999999"], "no order 99999999"),
    (["--out", "r.html", "--alt", "x"], "expected NAME:PATH=VALUE"),
    (["--out", "r.html", "--alt", "x: nope=1"], "nope"),
])
def test_cli_bad_arguments_are_one_message(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if argv[-1] == "-1" else _nothing():
        code = main(["report", "default", "--days", "10", "--quiet", *argv])
        assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
