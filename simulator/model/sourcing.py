"""Distributed order management: which candidate site fulfils an order, or each line of it
(docs/order-life.md).

:func:`choose` is the decision for one line, a pure function of the candidate sites (from the
plan), which of them hold the stock now, the line's quantity and the cost of waiting;
:func:`fewest_sites` is ``fewest_splits`` for an order of several lines, the one rule that looks
at the lines together. :class:`Sourcing` applies them to the orders of a run: it decides whether
an order is collected in store, and reads the stock points' state.
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


def fewest_sites(options: list[tuple[SiteOption, ...]], stocked: list[list[bool]]
                 ) -> tuple[list[int], str]:
    """``fewest_splits`` for an order of several lines: the index of the candidate site for
    each line, and why in words. ``options[k]``: line k's candidates (every line has the same
    sites in the same order: the region's); ``stocked[k][i]``: candidate i holds line k's stock.

    A site holding every line serves the whole order (the first such candidate). Else sites are
    taken greedily, each time the one holding most of the lines still unplaced (ties: the
    earlier candidate), until no site holds any of them; a line no site holds then goes to the
    first site already taken (it waits for stock there rather than open another shipment), or
    to the fixed site if none was."""
    n = len(options[0])
    whole = [i for i in range(n) if all(row[i] for row in stocked)]
    if whole:
        return [whole[0]] * len(options), (f"fewest splits: {options[0][whole[0]].site} holds "
                                           "every line")
    chosen: list[int | None] = [None] * len(options)
    taken: list[int] = []
    while True:
        open_lines = [k for k, c in enumerate(chosen) if c is None]
        counts = [sum(stocked[k][i] for k in open_lines) for i in range(n)]
        best = max(range(n), key=lambda i: (counts[i], -i))
        if not open_lines or counts[best] == 0:
            break
        taken.append(best)
        for k in open_lines:
            if stocked[k][best]:
                chosen[k] = best
    fallback = taken[0] if taken else 0
    sites = [options[0][i].site for i in taken]
    why = (f"fewest splits: no site holds every line; {', '.join(sites)} hold"
           f"{'s' if len(sites) == 1 else ''} the most" if sites else
           "fewest splits: no candidate holds any line, the fixed site")
    if any(c is None for c in chosen) and sites:
        why += f", lines no site holds wait at {options[0][fallback].site}"
    return [fallback if c is None else c for c in chosen], why


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
        if o.lines is not None:
            self.decide_lines(o)
        else:
            o.site = self.decide(o)[0].site

    def options(self, product: str, region: str, quantity: int,
                pickup: bool) -> tuple[SiteOption, ...]:
        key = (product, region, quantity, pickup)
        options = self._options.get(key)
        if options is None:
            options = self._options[key] = self.plan.site_options(*key)
        return options

    def decide(self, o: Order) -> tuple[SiteOption, str]:
        options = self.options(o.product, o.region, o.quantity, o.pickup)
        rule = self.plan.sourcing[o.channel]
        stocked = [] if rule == "fixed" else [self._holds(opt) for opt in options]
        return choose(rule, options, stocked, o.quantity, self.wait_cost)

    def decide_lines(self, o: Order) -> tuple[list[SiteOption | None], str]:
        """Each line's site (written on the line; the order's ``site`` is its first line's):
        the option chosen for each line (None for a digital line) and why, in words.
        ``fewest_splits`` places the lines together (:func:`fewest_sites`); every other rule is
        applied line by line, so siblings may come from different sites."""
        assert o.lines is not None
        rule = self.plan.sourcing[o.channel]
        plan = self.plan
        physical = [ln for ln in o.lines if not plan.digital(ln.product)]
        options = [self.options(ln.product, o.region, ln.quantity, o.pickup) for ln in physical]
        stocked = [[] if rule == "fixed" else [self._holds(opt) for opt in opts]
                   for opts in options]
        picked: list[SiteOption] = []
        if rule == "fewest_splits" and len(physical) > 1:
            index, why = fewest_sites(options, stocked)
            picked = [opts[i] for opts, i in zip(options, index, strict=True)]
        else:
            reasons = []
            for ln, opts, ok in zip(physical, options, stocked, strict=True):
                option, reason = choose(rule, opts, ok, ln.quantity, self.wait_cost)
                picked.append(option)
                reasons.append(reason)
            why = reasons[0] if len(set(reasons)) == 1 else "; ".join(
                f"{ln.product}: {r}" for ln, r in zip(physical, reasons, strict=True))
        for ln, option in zip(physical, picked, strict=True):
            ln.site = option.site
        o.site = o.lines[0].site
        chosen = dict(zip(map(id, physical), picked, strict=True))
        return [chosen.get(id(ln)) for ln in o.lines], why if physical else ""

    def _holds(self, option: SiteOption) -> bool:
        """The site has all the order takes from its decoupling stock on hand now, with no one
        waiting ahead (an order made to order takes none: every site can start it)."""
        stock = self.world.stock
        for sp_name, item, units in option.takes:
            sp = stock[sp_name]
            if sp.on_hand[item] < units or sp.waiting_orders(item):
                return False
        return True


__all__ = ["Sourcing", "choose", "fewest_sites"]
