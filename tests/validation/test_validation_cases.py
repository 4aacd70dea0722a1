"""The full model, reduced by scenarios to textbook systems, reproduces their closed forms.

Each case runs its replications with a quarter of its horizon (``quick``: the intervals are
about twice as wide as ``omcsim validate-model`` without --quick) and every check must pass the
rule of simulator.validation: theory inside the simultaneous 95% interval.
"""

import pytest

from simulator import validation as v


@pytest.mark.slow
@pytest.mark.parametrize("case", v.CASES, ids=lambda c: c.name)
def test_model_matches_theory(case):
    verdicts = v.evaluate(case, v.run_case(case, quick=True))
    failed = [f"{x.quantity}: theory {x.theory:.4f}, simulated {x.mean:.4f} "
              f"+- {x.decision_half_width:.4f} (n={x.n})" for x in verdicts if not x.passed]
    assert not failed, f"{case.name} ({case.system}): " + "; ".join(failed)
