"""Layering, read from the source with ast: parsing and extraction never touch the store
or the CLI, the store never reaches up into the CLI, and scrapers only fetch (they save
raw payloads that `kb ingest` reads; they never write the store)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# (package folder, modules it must never import). kb.pipeline is forbidden wherever kb.store
# is, because it imports the store; kb/query is "SQL in, rows out, no printing".
RULES = [
    ("kb/ingesters", ("kb.store", "kb.cli", "kb.pipeline")),
    ("kb/extract", ("kb.store", "kb.cli", "kb.pipeline")),
    ("kb/store", ("kb.cli",)),
    ("kb/query", ("kb.cli",)),
    ("scrapers", ("kb.store", "kb.pipeline")),
    ("kb/serve", ("kb.cli",)),
    ("kb/curate", ("kb.cli",)),
    ("kb/match.py", ("kb.store", "kb.cli", "kb.pipeline")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved, imports inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value))
    return found


def violates(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


def python_files(folder: str) -> list[Path]:
    path = ROOT / folder
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("folder, forbidden", RULES, ids=[r[0] for r in RULES])
def test_layering(folder, forbidden):
    files = python_files(folder)
    assert files, f"no python files under {folder}"
    bad = sorted(f"{p.relative_to(ROOT)} imports {m}" for p in files for m in imported_modules(p)
                 for f in forbidden if violates(m, f))
    assert bad == []


def test_scanner_sees_relative_and_lazy_imports(tmp_path, monkeypatch):
    """The scan itself must catch the ways a layer could be crossed."""
    pkg = tmp_path / "kb" / "extract"
    pkg.mkdir(parents=True)
    src = pkg / "sneaky.py"
    src.write_text(
        "from ..store import save\n"
        "from . import numbers\n"
        "def later():\n"
        "    import kb.cli.output\n"
        "    import importlib\n"
        "    importlib.import_module('kb.store.db')\n",
        encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    found = imported_modules(src)
    assert {"kb.store", "kb.store.save", "kb.extract.numbers", "kb.cli.output", "kb.store.db"} <= found
    assert violates("kb.store.save", "kb.store") and not violates("kb.storehouse", "kb.store")
