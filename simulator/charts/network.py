"""The network as a Graphviz diagram, decoupling points marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan import How, Kind

if TYPE_CHECKING:
    from ..plan import Plan


# ---------------------------------------------------------------- the network


def decoupling_stock_points(plan: Plan) -> set[str]:
    """The stock points orders take from: the decoupling points of this plan."""
    out: set[str] = set()
    for product in plan.scenario.products:
        for region in plan.regions:
            out |= {sp for sp, _, _ in plan.order_route(product, region, 1)[0]}
    return out


def _q(name: str) -> str:
    """A DOT string: quoted, with line breaks as DOT writes them."""
    return '"' + str(name).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def network_diagram(plan: Plan) -> str:
    """The network as a Graphviz (DOT) diagram, for ``st.graphviz_chart`` (drawn in the browser)
    or the ``dot`` program: each site a box holding its work centres and stock points, lanes
    between sites and to the customers' regions, the material flow inside a site (inputs' stock
    point -> work centre -> output's stock point), and the decoupling stock points marked."""
    codp = decoupling_stock_points(plan)
    lines = ["digraph network {", '  rankdir=LR; compound=true; newrank=true;',
             '  node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
             '  graph [fontname="Helvetica", fontsize=11];']
    for name, site in plan.network.sites.items():
        if site.kind == "supplier":
            lines.append(f"  {_q(name)} [shape=box, style=\"rounded,dashed\", "
                         f"label={_q(name + chr(10) + '(supplier)')}];")
            continue
        lines.append(f"  subgraph {_q('cluster_' + name)} {{ label={_q(f'{name} ({site.kind})')};"
                     ' style="rounded"; color="#888888";')
        lines.append(f"    {_q('site:' + name)} [shape=point, style=invis];")
        for st in plan.stations.values():
            if st.kind == Kind.WORK_CENTER and st.site == name:
                servers = "unlimited" if st.servers is None else f"{st.servers} server(s)"
                lines.append(f"    {_q(st.name)} [shape=box, style=filled, fillcolor=\"#DCEBF7\", "
                             f"label={_q(st.name + chr(10) + servers)}];")
        for sp in plan.stock_points.values():
            if sp.site != name:
                continue
            if sp.name in codp:
                style = ('style="filled,bold", fillcolor="#F9D9B0", penwidth=2.5, color="#D55E00", '
                         f"label={_q(sp.name + chr(10) + 'decoupling point')}")
            elif sp.active:
                style = f'style=filled, fillcolor="#EEEEEE", label={_q(sp.name + chr(10) + "stocked")}'
            else:
                style = (f'style=dashed, color="#999999", fontcolor="#777777", '
                         f"label={_q(sp.name + chr(10) + 'not stocked')}")
            lines.append(f"    {_q(sp.name)} [shape=cylinder, {style}];")
        lines.append("  }")
    flows = set()
    for (site, item), source in plan.sources.items():
        out_sp = plan.holder.get((site, item))
        if source.how == How.MAKE and source.station:
            for inp, _ in source.inputs:
                in_sp = plan.holder.get((site, inp))
                if in_sp:
                    flows.add((in_sp, source.station))
            if out_sp:
                flows.add((source.station, out_sp))
        elif source.how == How.BUY and out_sp and source.source in plan.network.sites:
            flows.add((source.source, out_sp))
    lines += [f"  {_q(a)} -> {_q(b)} [color=\"#666666\"];" for a, b in sorted(flows)]
    for region in plan.regions.values():
        lines.append(f"  {_q('region:' + region.name)} [shape=house, style=filled, "
                     f'fillcolor="#FFFFFF", label={_q(region.name + chr(10) + "(customers)")}];')
    for name, lane in plan.network.lanes.items():
        src, dst = lane.source, lane.to
        a = _q("site:" + src) if src in plan.network.sites and plan.network.sites[src].kind != \
            "supplier" else _q(src)
        b = _q("region:" + dst) if dst in plan.regions else (
            _q("site:" + dst) if dst in plan.network.sites
            and plan.network.sites[dst].kind != "supplier" else _q(dst))
        ends = "".join([f", ltail={_q('cluster_' + src)}" if a.startswith('"site:') else "",
                        f", lhead={_q('cluster_' + dst)}" if b.startswith('"site:') else ""])
        lines.append(f"  {a} -> {b} [label={_q(name)}, style=bold, color=\"#0072B2\"{ends}];")
    lines.append("}")
    return "\n".join(lines)
