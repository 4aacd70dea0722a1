"""No import cycle in simulator/, counting imports inside functions and under TYPE_CHECKING.

import-linter's acyclic_siblings contract (pyproject.toml, `lint-imports`) finds cycles between
sibling modules and packages, but not those through a package's own ``__init__`` (``provenance ->
simulator -> model.world -> result -> provenance``): this test finds every cycle between single
modules with grimp.
"""

import grimp

PACKAGE = "simulator"


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, anywhere in its code."""
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_package_init():
    edges = {"p": {"p.a"}, "p.a": {"p.b"}, "p.b": {"p"}, "p.c": {"p.a"}, "p.d": {"p.d"}}
    assert cycles(edges) == [["p", "p.a", "p.b"]]


def test_no_import_cycle_in_simulator():
    edges = import_graph()
    found = cycles(edges)
    report = [
        " ; ".join(f"{m} -> {i}" for m in component for i in sorted(edges[m]) if i in component)
        for component in found
    ]
    assert not found, "import cycles in simulator/:\n" + "\n".join(report)
