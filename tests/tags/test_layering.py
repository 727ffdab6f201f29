"""The practice chip is a leaf and `tags` builds on nothing of ours, as the imports show.

Real NTAG21x semantics live in `tags/`; `tags/virtual/` is one consumer of them, like the field
tool. Only the simulator command (and tests and benchmarks) may import the virtual chip.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIRTUAL = ROOT / "tags" / "virtual"
# `tagwriter simulate`; the CLI registers it by importing tagwriter.simulate, not tags.virtual.
SIMULATOR = ROOT / "tagwriter" / "simulate.py"


def module_name(path: Path) -> str:
    """The dotted name of the module at `path` ("tagwriter.plan", "tags" for its __init__)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, relative ones resolved.

    `from tags import virtual` counts as importing tags.virtual: each imported name is also
    listed under its package, since it may be a submodule.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[Path]:
    """The Python files of one top-level package."""
    return sorted((ROOT / folder).rglob("*.py"))


def within(module: str, package: str) -> bool:
    """True if `module` is `package` or one of its submodules."""
    return module == package or module.startswith(package + ".")


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """ "file: module" for every import of a forbidden package among `paths`."""
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in paths
        for module in sorted(imported_modules(path))
        if any(within(module, package) for package in forbidden)
    ]


def test_the_reader_of_imports_sees_what_the_simulator_imports():
    # Guards the two tests below against passing because nothing was read.
    imports = imported_modules(SIMULATOR)
    assert {"tags.virtual.reader", "tags.virtual.roll", "tags.chips"} <= imports
    assert within("tags.virtual.reader", "tags.virtual")
    assert not within("tags.virtualise", "tags.virtual")


def test_only_the_simulator_command_imports_the_virtual_chip():
    paths = [
        path
        for path in modules_under("tags") + modules_under("tagwriter") + modules_under("server")
        if VIRTUAL not in path.parents and path != SIMULATOR
    ]
    assert len(paths) > 100
    assert offenders(paths, ("tags.virtual",)) == []


def test_tags_imports_neither_the_field_tool_nor_the_server():
    assert offenders(modules_under("tags"), ("tagwriter", "server")) == []
