"""The shape of ``bots/``: adapters never import each other, no import cycles; and no oversized module in
``bots/``, ``assistant/``, ``knowledge/``, ``scripts/``, ``bench/`` or ``shopguide_testkit/``.

Read from the source with ``ast`` (every import, also those inside functions), so a lazy import cannot
hide a cross-adapter arrow or a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOTS = Path(__file__).resolve().parent.parent / "bots"
MAX_LINES = 500
# Every folder of product code, its build scripts, benches, test fakes and tests is held to the same size
# limit as bots/.
SIZED_FOLDERS = ("bots", "assistant", "knowledge", "scripts", "bench", "shopguide_testkit", "tests")
# What each part of bots/ must not import: the other adapter and its platform SDK; the kit imports neither.
# Nor the concrete knowledge store: adapters read through ``Assistant.catalog`` and change releases through
# ``Assistant.release_admin()`` (only the composition root, bots/serve.py, may hand a store in).
STORE = "knowledge.store"
FORBIDDEN = {
    "bots.telegram": ("bots.slack", "slack_bolt", "slack_sdk", "bots.serve", "bots.cli", STORE),
    "bots.slack": ("bots.telegram", "telegram", "bots.serve", "bots.cli", STORE),
    "bots.common": (
        "bots.telegram",
        "bots.slack",
        "telegram",
        "slack_bolt",
        "slack_sdk",
        "bots.serve",
        "bots.cli",
        STORE,
    ),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(BOTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def imports_in(source: str, name: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from . import x`` and ``from .pkg import module`` name modules too.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def bots_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(BOTS.rglob("*.py"))}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_no_adapter_imports_another_and_the_kit_imports_no_adapter() -> None:
    crossings = [
        f"{path.relative_to(BOTS.parent)}:{line} imports {target}"
        for module, path in bots_modules().items()
        for part, forbidden in FORBIDDEN.items()
        if within(module, part)
        for line, target in imports_of(path)
        if any(within(target, f) for f in forbidden)
    ]
    assert crossings == []


def test_bots_has_no_import_cycles() -> None:
    modules = bots_modules()
    graph = {
        module: sorted({t for _, t in imports_of(path) if t in modules and t != module})
        for module, path in modules.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in graph[module]:
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_module_is_over_the_size_limit() -> None:
    # Code only: data (JSON, JSONL, Markdown) may be as long as it needs to be.
    sizes = {
        str(p.relative_to(BOTS.parent)): len(p.read_text(encoding="utf-8").splitlines())
        for folder in SIZED_FOLDERS
        for p in (BOTS.parent / folder).rglob("*.py")
    }
    assert {path: n for path, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from .app import X", "bots.slack.app"),
        ("from . import desk", "bots.slack.desk"),
        ("def f():\n    from ..telegram.render import split_text", "bots.telegram.render"),
        ("import bots.slack.app", "bots.slack.app"),
    ],
)
def test_the_scanner_resolves_relative_lazy_and_absolute_imports(source: str, expected: str) -> None:
    # The checks above are only as good as the import reading: a module of bots/slack, read as such.
    assert expected in {target for _, target in imports_in(source, "bots.slack.probe")}
