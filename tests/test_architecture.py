"""The dependency rules of docs/architecture.md, checked by reading every module's imports.

Every import counts, at module level or inside a function, TYPE_CHECKING ones too: a rule that
only held at import time would not keep the packages apart.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tags", "tagwriter", "server")
# Within server: what answers requests, and what lies beneath it.
WEB = (
    "server.tap_route",
    "server.tap_front",
    "server.visitor",
    "server.api",
    "server.portal",
    "server.analytics",
    "server.web",
    "server.maps",  # the drawing the web layers show
)
BENEATH_THE_WEB = (
    "server.services",
    "server.taps",
    "server.mobility",
    "server.importers",
    "server.models",
)


@dataclass(frozen=True)
class Import:
    """One name a module imports: `target` is the module (or package) it comes from."""

    module: str
    path: Path
    line: int
    target: str
    name: str | None  # the name taken from `target` (from X import name); None: import X


def module_name(path: Path) -> str:
    """The dotted name of a source file (a package's __init__ is the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    """The package a source file belongs to (a package's __init__ belongs to itself)."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module a `from ... import` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = package_of(path).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports() -> Iterator[Import]:
    """Every import of every module of the three packages."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(module, path, node.lineno, alias.name, None)
                elif isinstance(node, ast.ImportFrom):
                    target = _absolute(node, path)
                    for alias in node.names:
                        yield Import(module, path, node.lineno, target, alias.name)


@functools.cache
def every_import() -> list[Import]:
    """imports(), read once, when a test first asks: not at collection, which every xdist
    worker does (half a CPU-second each)."""
    return list(imports())


def within(name: str, packages: tuple[str, ...] | str) -> bool:
    """Whether the dotted `name` is one of `packages` or inside one."""
    packages = (packages,) if isinstance(packages, str) else packages
    return any(name == package or name.startswith(package + ".") for package in packages)


def reaches(found: Import, packages: tuple[str, ...] | str) -> bool:
    """Whether this import takes something from `packages` (`from server import portal` too)."""
    named = f"{found.target}.{found.name}" if found.name else found.target
    return within(found.target, packages) or within(named, packages)


def where(found: Import) -> str:
    return f"{found.path.relative_to(ROOT)}:{found.line} imports {found.target}" + (
        f".{found.name}" if found.name else ""
    )


def breaking(importer: tuple[str, ...] | str, imported: tuple[str, ...] | str) -> list[str]:
    """The imports by modules of `importer` that take something from `imported`."""
    return [where(i) for i in every_import() if within(i.module, importer) and reaches(i, imported)]


def test_the_three_packages_are_read():
    modules = {found.module for found in every_import()}
    assert {"tags.codes", "tagwriter.cli", "server.services.nearby", "server.portal"} <= modules


def test_tags_depends_on_neither_the_field_tool_nor_the_server():
    assert breaking("tags", ("tagwriter", "server")) == []


def test_the_field_tool_and_the_server_never_import_each_other():
    assert breaking("tagwriter", "server") == []
    assert breaking("server", "tagwriter") == []


@pytest.mark.parametrize("beneath", BENEATH_THE_WEB)
def test_nothing_beneath_the_web_layers_imports_them(beneath):
    assert breaking(beneath, WEB) == []


def test_models_never_import_services_or_background_work():
    assert breaking("server.models", ("server.services", "server.taps", "server.importers")) == []


def is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def home_of(name: str) -> str:
    """The package a module belongs to: itself if it is a package, else the one holding it."""
    return name if is_package(name) else name.rsplit(".", 1)[0]


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def modules_bound(path: Path) -> dict[str, str]:
    """The names a source file binds to modules of ours: {"charts": "server.analytics.charts"}."""
    bound = {}
    for found in (i for i in every_import() if i.path == path):
        if found.name is None and within(found.target, PACKAGES):
            bound[found.target.split(".")[0]] = found.target.split(".")[0]
        elif found.name and (ROOT / Path(*f"{found.target}.{found.name}".split("."))).exists():
            bound[found.name] = f"{found.target}.{found.name}"  # a package
        elif found.name and (ROOT / f"{Path(*found.target.split('.'), found.name)}.py").exists():
            bound[found.name] = f"{found.target}.{found.name}"  # a module
    return bound


def test_no_module_imports_another_package_s_private_name():
    found = []
    for imported in every_import():
        if not (imported.name and private(imported.name) and within(imported.target, PACKAGES)):
            continue
        if home_of(imported.target) != package_of(imported.path):
            found.append(where(imported))
    for path in sorted({i.path for i in every_import()}):
        bound = modules_bound(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
                continue
            module = bound.get(node.value.id)
            if module and private(node.attr) and home_of(module) != package_of(path):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {module}.{node.attr}")
    assert found == []
