"""Distributed order management: which candidate site fulfils an order (docs/order-life.md).

:func:`choose` is the decision itself, a pure function of the candidate sites (from the plan),
which of them hold the stock now, the order's quantity and the cost of waiting; it knows nothing
of lines, so it can be applied line by line. :class:`Sourcing` applies it to the orders of a run:
it decides whether an order is collected in store, and reads the stock points' state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plan import SiteOption
    from .context import RunContext
    from .orders import Order


def choose(rule: str, options: tuple[SiteOption, ...], stocked: list[bool], quantity: float,
           wait_cost: float) -> tuple[SiteOption, str]:
    """The site that fulfils an order of ``quantity`` units under ``rule``, and why in words.

    ``options``: the candidate sites, the fixed one first; ``stocked``: whether each holds the
    whole order's decoupling stock now; ``wait_cost``: the cost of a unit waiting a day (the
    backorder penalty), which prices a site that must first replenish at its expected wait."""
    fixed = options[0]
    if rule == "fixed" or len(options) == 1:
        return fixed, f"fixed site: {fixed.site}"
    holding = [o for o, ok in zip(options, stocked, strict=True) if ok]
    if rule == "lowest_cost":
        costs = [quantity * (o.cost_per_unit + (0.0 if ok else wait_cost * o.wait))
                 for o, ok in zip(options, stocked, strict=True)]
        i = min(range(len(options)), key=costs.__getitem__)  # ties: the earlier candidate
        short = "" if stocked[i] else ", waiting for stock included"
        return options[i], (f"lowest cost to serve: {options[i].site} ({costs[i]:.2f}{short}; "
                            f"fixed site {costs[0]:.2f})")
    if not holding:
        return fixed, f"{rule.replace('_', ' ')}: no candidate holds the stock, the fixed site " \
                      f"{fixed.site}"
    if rule == "nearest_with_stock":
        best = min(holding, key=lambda o: o.transit)  # ties: the earlier candidate
        return best, f"nearest with stock: {best.site} ({best.transit:.2g} d away)"
    # priority, and fewest_splits: a single-line order is whole at any site holding it, so the
    # first such site in the list (with lines: the site serving the most of them).
    best = holding[0]
    what = "priority list" if rule == "priority" else "fewest splits (whole order)"
    return best, f"{what}: {best.site}, the first candidate holding the stock"


class Sourcing:
    """The sourcing decisions of one run."""

    def __init__(self, world: RunContext):
        self.world = world
        self.plan = world.plan
        self.pickup = world.samplers.pickup
        self.wait_cost = world.scenario.costs.backorder_per_unit_day
        self._options: dict[tuple, tuple[SiteOption, ...]] = {}

    def prepare(self, o: Order) -> None:
        """At pricing: whether the order is collected in store, and the site the quote assumes
        (the decision is taken again, on the stock then, when fulfilment starts)."""
        pickup = self.pickup.get(o.channel)
        if pickup is not None:
            o.pickup = pickup[0]()
        o.site = self.decide(o)[0].site

    def decide(self, o: Order) -> tuple[SiteOption, str]:
        key = (o.product, o.region, o.quantity, o.pickup)
        options = self._options.get(key)
        if options is None:
            options = self._options[key] = self.plan.site_options(*key)
        rule = self.plan.sourcing[o.channel]
        stocked = [] if rule == "fixed" else [self._holds(opt) for opt in options]
        return choose(rule, options, stocked, o.quantity, self.wait_cost)

    def _holds(self, option: SiteOption) -> bool:
        """The site has all the order takes from its decoupling stock on hand now, with no one
        waiting ahead (an order made to order takes none: every site can start it)."""
        stock = self.world.stock
        for sp_name, item, units in option.takes:
            sp = stock[sp_name]
            if sp.on_hand[item] < units or sp.waiting_orders(item):
                return False
        return True


__all__ = ["Sourcing", "choose"]
