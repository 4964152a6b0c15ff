"""The layering rules of docs/ARCHITECTURE.md, checked on the source: data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ehelsekg"

#: Each stage and the stages below it that it may import. Siblings of one rank
#: (reasoning, validation, catalogue) do not import each other.
RANKS = {
    "base": 0,  # settings, errors, namespaces, labels: imported by everyone
    "store": 1,
    "reasoning": 2,
    "validation": 2,
    "catalogue": 2,
    "knowledge": 3,
    "analysis": 4,
    "views": 5,
    "pack": 6,
    "service": 7,
    "rounds": 7,
    "cli": 8,
    "__main__": 9,  # python -m ehelsekg: the CLI
}
BASE_MODULES = {"settings", "errors", "namespaces", "labels", "__init__"}


def _stage(module: str) -> str:
    """ehelsekg.store.embedded → store; ehelsekg.settings → base."""
    parts = module.split(".")
    if parts[0] != "ehelsekg" or len(parts) == 1:
        return "base"
    return "base" if parts[1] in BASE_MODULES else parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "ehelsekg":
                found += [(node.lineno, f"ehelsekg.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


LIBRARY_FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_imports_upward(path: Path) -> None:
    own = _stage(_module_name(path))
    wrong = []
    for line, module in _imports(path):
        if module.split(".")[0] == "server" and own != "cli":
            wrong.append(f"{path.name}:{line} imports {module} (only cli/ may start the server)")
        if not module.startswith("ehelsekg"):
            continue
        other = _stage(module)
        if other == own or other == "base":
            continue
        if RANKS[other] >= RANKS[own]:
            wrong.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {module} ({other})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "server").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_server_reaches_the_store_only_through_the_service(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "knowledge.store" not in text
    assert ".knowledge." not in text.replace("ehelsekg.knowledge", "")


@pytest.mark.parametrize(
    "path",
    [*LIBRARY_FILES, *sorted((ROOT / "server").rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"
