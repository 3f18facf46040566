"""Reads every import statement of the production packages (ast, no import is run).

The layering test (test_layering.py) and the import matrix printed in notes use it.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("nlu", "handoff", "bot", "playground")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "handoff.flows.desk"
    target: str  # what it imports, e.g. "handoff.core.state" or "redis.asyncio"
    line: int
    top_level: bool  # False inside a function, a class or an ``if TYPE_CHECKING:`` block


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(packages: tuple[str, ...] = PACKAGES) -> Iterator[tuple[str, Path]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    yield from _walk(module, path.name == "__init__.py", tree.body, top_level=True)


def _walk(module: str, is_package: bool, body: list[ast.stmt], top_level: bool) -> Iterator[Import]:
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, top_level)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            for alias in node.names:
                # ``from a import b`` may import the module a.b; count it as a.b when a is ours.
                sub = f"{base}.{alias.name}"
                target = sub if _is_module(sub) else base
                yield Import(module, target, node.lineno, top_level)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.AST):
                    nested = top_level and not isinstance(
                        node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If)
                    )
                    stmts = [s for s in inner if isinstance(s, ast.stmt)]
                    handlers = [h for h in inner if isinstance(h, ast.ExceptHandler)]
                    yield from _walk(module, is_package, stmts, nested)
                    for handler in handlers:
                        yield from _walk(module, is_package, handler.body, nested)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def _is_module(name: str) -> bool:
    path = ROOT / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def all_imports(packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    return [imp for module, path in modules(packages) for imp in imports_of(module, path)]


def matrix(imports: list[Import]) -> Counter[tuple[str, str]]:
    """Import statements from one top-level package into another (``from x import a, b``
    is one statement)."""
    statements = set()
    for imp in imports:
        a, b = imp.module.split(".")[0], imp.target.split(".")[0]
        if a != b and b in PACKAGES:
            statements.add((a, b, imp.module, imp.line))
    return Counter((a, b) for a, b, _, _ in statements)


if __name__ == "__main__":
    found = all_imports()
    for (a, b), n in sorted(matrix(found).items()):
        print(f"{a} -> {b}: {n}")
