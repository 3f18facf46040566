"""Checks a list of imports against the rules in rules.py; each broken rule is one line."""

from __future__ import annotations

from collections import defaultdict

from tests.architecture.imports import PACKAGES, Import
from tests.architecture.rules import (
    ADAPTERS,
    DEFAULT_INNER_RANK,
    FORBIDDEN,
    INNER_RANK,
    LAZY_IMPORTERS,
    PLAYGROUND_STARTER,
    PRODUCTION,
    TOP_RANK,
)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def folder_of(module: str) -> tuple[str, str, int]:
    """(package, folder, rank): ``handoff.flows.desk`` is in folder ``flows`` of ``handoff``;
    a package's own top modules share the folder "" with the package's default rank."""
    parts = module.split(".")
    package = parts[0]
    ranks = INNER_RANK.get(package, {})
    if len(parts) > 1 and parts[1] in ranks:
        return package, parts[1], ranks[parts[1]]
    return package, "", DEFAULT_INNER_RANK.get(package, 0)


def violation(imp: Import) -> str | None:
    source, target = imp.module, imp.target
    top_s, top_t = source.split(".")[0], target.split(".")[0]
    where = f"{source}:{imp.line} imports {target}"
    if top_s == "playground" and top_t in PRODUCTION:
        fake = source.split(".")[1].startswith("fake_") if "." in source else False
        return f"{where}: the playground's fakes import nothing of the product" if fake else None
    if top_s not in PRODUCTION:
        return None
    if top_t == "playground":
        if source != PLAYGROUND_STARTER:
            return f"{where}: only {PLAYGROUND_STARTER} may start the playground"
        return None
    for library, homes in ADAPTERS.items():
        if top_t == library and not any(_within(source, home) for home in homes):
            return f"{where}: {library} belongs to {' / '.join(homes)}"
    if top_t not in PRODUCTION:
        return None
    if not imp.top_level and source not in LAZY_IMPORTERS:
        return f"{where}: inside a function or TYPE_CHECKING block (hides a layering problem)"
    if TOP_RANK[top_t] > TOP_RANK[top_s]:
        return f"{where}: upward ({top_s} is below {top_t})"
    for lower, upper in FORBIDDEN:
        if _within(source, lower) and _within(target, upper):
            return f"{where}: {lower} and {upper} are separate adapters"
    if top_s == top_t:
        _, folder_s, rank_s = folder_of(source)
        _, folder_t, rank_t = folder_of(target)
        if folder_s != folder_t and rank_t >= rank_s:
            return (
                f"{where}: {top_s}/{folder_s or '(top)'} (rank {rank_s}) may not import "
                f"{top_s}/{folder_t or '(top)'} (rank {rank_t})"
            )
    return None


def violations(imports: list[Import]) -> list[str]:
    found = (violation(imp) for imp in imports)
    return sorted({v for v in found if v})


def cycles(imports: list[Import]) -> list[list[str]]:
    """Import cycles among the project's modules, each as its modules. Imports inside
    functions and TYPE_CHECKING blocks count in production code, where they used to hide
    cycles; the playground's route builders name their server's type in such a block."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        counted = imp.top_level or imp.module.split(".")[0] in PRODUCTION
        if counted and imp.target.split(".")[0] in PACKAGES and imp.target != imp.module:
            graph[imp.module].add(imp.target)
    return [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
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
                    work.append((child, iter(sorted(graph.get(child, ())))))
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
                found.append(component)
    return found
