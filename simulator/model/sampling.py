"""Every source of randomness of a run, each drawing from its own named stream (see streams.py):
step times, demand, errors and holds, station times, supplier deliveries. Building them is the
only place a run touches a random number generator."""

from __future__ import annotations

import numpy as np

from ..distributions import batched
from ..fields import MAX_LINES
from ..plan import How, Plan
from ..scenario import STEPS
from ..streams import Streams


def bernoulli(rng: np.random.Generator, p: float):
    if p <= 0:
        return lambda: False
    return batched(lambda n: rng.random(n) < p)


def uniform(rng: np.random.Generator):
    return batched(lambda n: rng.random(n))


def choice(rng: np.random.Generator, names: list[str], weights: list[float]):
    p = np.asarray(weights, dtype=float) / sum(weights)
    draw = batched(lambda n: rng.choice(len(names), n, p=p))
    return lambda: names[int(draw())]


class Samplers:
    def __init__(self, plan: Plan, streams: Streams):
        sc = plan.scenario
        steps = sc.steps
        self.plan = plan
        self.streams = streams
        self.step_time = {
            s: getattr(steps, s).time.sampler(streams(f"time.{s}"))
            for s in STEPS if s != "fulfillment"
        }
        # Stations that work (work centres, lanes): time, set-up, per unit. Streams are named
        # "stage.<name>" (the chain's stages keep their 0.1 streams).
        self._time = {}
        self._setup = {}
        self._per_unit = {}
        for name, st in plan.stations.items():
            if st.time is None:
                continue
            self._time[name] = st.time.sampler(streams(f"stage.{name}"))
            self._setup[name] = (None if st.setup_time is None
                                 else st.setup_time.sampler(streams(f"stage.{name}.setup")))
            self._per_unit[name] = st.per_unit
        # An item's own time at its work centre, where the routing gives one.
        self._make = {}
        for (site, item), src in plan.sources.items():
            if src.how is How.MAKE:
                wc = src.work_center
                draw = (self._time[wc] if src.time is None
                        else src.time.sampler(streams(f"stage.{wc}.{item}")))
                self._make[site, item] = (wc, draw)
        self._supplier = {}
        for name, sup in plan.suppliers.items():
            lead = sup.lead_time.sampler(streams(f"supplier.{name}.lead_time"))
            late = bernoulli(streams(f"supplier.{name}.late"), 1 - sup.reliability)
            late_by = sup.late_by.sampler(streams(f"supplier.{name}.late_by"))
            self._supplier[name] = (lead, late, late_by)

        eng = steps.pricing.engineering_time
        engineering = (eng.sampler(streams("time.pricing.engineering"))
                       if eng is not None else self.step_time["pricing"])
        # A product with no decoupling stock is quoted by engineering (engineer-to-order).
        self.quote_time = {p: engineering if plan.codp[p] == "none" else self.step_time["pricing"]
                           for p in sc.products}
        self.entry_time = {
            c: ch.entry_time.sampler(streams(f"time.entry.{c}"))
            for c, ch in steps.generation.channels.items()
        }
        self.entry_error = bernoulli(streams("entry.errors"), steps.entry.error_rate)
        self.credit_rejected = bernoulli(streams("credit.reject"), steps.selection.credit_reject_rate)
        self.credit_held = bernoulli(streams("credit.hold"), steps.selection.credit_hold_rate)
        self.credit_hold_time = steps.selection.credit_hold_time.sampler(streams("credit.hold.time"))
        self.dispute_delay = steps.billing.dispute_delay.sampler(streams("billing.dispute"))
        self.correction_time = steps.billing.correction_time.sampler(streams("billing.correction"))
        payment_delay = steps.billing.payment_delay.sampler(streams("billing.payment"))
        terms = steps.billing.payment_terms_days
        self.payment_wait = lambda: terms + payment_delay()
        self.return_delay = steps.returns.delay.sampler(streams("returns.delay"))
        # Payment and fraud, per channel (docs/order-life.md): only channels that have them.
        self.payment_hold = {}
        self.card_declined = {}
        self.fraud = {}
        for c, ch in steps.generation.channels.items():
            pay = ch.payment
            if pay is not None and pay.method != "terms":
                self.payment_hold[c] = pay.hold_time.sampler(streams(f"payment.{c}.hold"))
                self.card_declined[c] = bernoulli(streams(f"payment.{c}.decline"), pay.decline_rate)
            f = ch.fraud_check
            if f is not None:
                self.fraud[c] = (f.time.sampler(streams(f"fraud.{c}.time")),
                                 bernoulli(streams(f"fraud.{c}.review"), f.review_rate),
                                 f.review_time.sampler(streams(f"fraud.{c}.review_time")),
                                 bernoulli(streams(f"fraud.{c}.reject"), f.reject_rate))
        # Pickup in store: channel -> (collected in store?, days until the customer collects).
        self.pickup = {c: (bernoulli(streams(f"pickup.{c}"), ch.pickup.share),
                           ch.pickup.collect_delay.sampler(streams(f"pickup.{c}.collect")))
                       for c, ch in steps.generation.channels.items() if ch.pickup is not None}
        self.restocked = bernoulli(streams("returns.restock"), steps.returns.restock_share)
        self.visit_delay = steps.service.delay.sampler(streams("service.delay"))

        # Demand: everything an inquiry is, decided when it arrives (common random numbers).
        self.customer_class = choice(streams("demand.class"), list(sc.customers),
                                     [c.share for c in sc.customers.values()])
        customer_rng = streams("demand.customer")
        self.customer_index = batched(lambda n: customer_rng.random(n))
        self.product = choice(streams("demand.product"), list(sc.products),
                              [p.share for p in sc.products.values()])
        regions = list(plan.regions)
        self.region = (choice(streams("demand.region"), regions,
                              [r.share for r in plan.regions.values()])
                       if len(regions) > 1 else (lambda: regions[0]))
        self.size = {p: spec.order_size.sampler(streams(f"demand.size.{p}"))
                     for p, spec in sc.products.items()}
        self.lead_time = {c: spec.demand_lead_time.sampler(streams(f"demand.lead_time.{c}"))
                          for c, spec in sc.customers.items()}
        # Lines (docs/order-life.md): only classes with more than one line draw anything, each
        # from streams of its own, so the first line is drawn exactly as without lines.
        self.line_count = {}
        self.line_pick = {}
        for c, spec in sc.customers.items():
            if spec.multi_line:
                self.line_count[c] = spec.lines.sampler(streams(f"demand.lines.{c}"))
                mix = spec.line_mix or {p: prod.share for p, prod in sc.products.items()}
                self.line_pick[c] = ({p: w for p, w in mix.items() if w > 0},
                                     uniform(streams(f"demand.line_product.{c}")))
        self.line_size = ({p: spec.order_size.sampler(streams(f"demand.line_size.{p}"))
                           for p, spec in sc.products.items()} if self.line_count else {})
        # Change requests and patience, per class that has them (docs/order-life.md).
        self.change_request: dict[str, tuple] = {}
        for c, spec in sc.customers.items():
            req = spec.changes
            if req is not None:
                kind = uniform(streams(f"changes.{c}.kind"))
                new_d = (req.lead_time.sampler(streams(f"changes.{c}.lead_time"))
                         if req.lead_time is not None else None)
                self.change_request[c] = (kind, req.delay.sampler(streams(f"changes.{c}.delay")),
                                          req.quantity_factor.sampler(
                                              streams(f"changes.{c}.quantity_factor")), new_d)
        self.patience = {c: spec.patience.sampler(streams(f"patience.{c}"))
                         for c, spec in sc.customers.items() if spec.patience is not None}
        self.invoice_error = bernoulli(streams("billing.errors"), steps.billing.error_rate)
        self.returned = bernoulli(streams("returns.rate"), steps.returns.rate)
        self.serviced = bernoulli(streams("service.rate"), steps.service.rate)

    def station_time(self, station: str, units: float) -> float:
        """A job's time at a work centre or lane: its set-up, if any, and work per job or unit."""
        return self._job_time(station, self._time[station], units)

    def make_time(self, site: str, item: str, units: float) -> float:
        station, draw = self._make[site, item]
        return self._job_time(station, draw, units)

    def _job_time(self, station, draw, units):
        t = sum(draw() for _ in range(max(1, round(units)))) if self._per_unit[station] else draw()
        setup = self._setup[station]
        return t if setup is None else setup() + t

    def supplier_delay(self, supplier: str) -> float:
        lead, late, late_by = self._supplier[supplier]
        delay = lead()
        return delay + late_by() if late() else delay

    def extra_lines(self, customer_class: str, first: str) -> list[tuple[str, int]]:
        """(product, quantity) of an order's lines after the first (product ``first``): products
        not yet in the order, drawn without replacement by the class's line mix."""
        n = min(MAX_LINES, max(1, round(self.line_count[customer_class]()))) - 1
        mix, u = self.line_pick[customer_class]
        left = {p: w for p, w in mix.items() if p != first}
        out = []
        while n > 0 and left:
            names = list(left)
            target = u() * sum(left.values())
            pick = names[-1]  # the last product takes any rounding remainder
            for p in names:
                target -= left[p]
                if target < 0:
                    pick = p
                    break
            del left[pick]
            out.append((pick, max(1, round(self.line_size[pick]()))))
            n -= 1
        return out

    def breakdown_samplers(self, station: str, server: int, spec):
        s = self.streams
        return (spec.time_between_failures.sampler(s(f"breakdowns.{station}.{server}.ttf")),
                spec.repair_time.sampler(s(f"breakdowns.{station}.{server}.repair")))
