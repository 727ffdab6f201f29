"""The README and docs/ stay true to the tree: every link, image, path, make target and command.

A reader follows a link, copies a command or opens a file the docs name; each of those must
exist. Only what is written as code (`...` or a fenced block) counts as a command or a path.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlsplit

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
REPO_PATH = re.compile(r"(?:tags|tagwriter|server|tests|bench|docs|\.ci)/[\w./-]*")
DOTTED = re.compile(r"(?:tags|tagwriter|server|bench)(?:\.\w+)+(?:\(\))?")
PYTHON_MODULE = re.compile(r"python -m ((?:tags|tagwriter|server|bench)\b[\w.]*)")
MAKE = re.compile(r"(?<![\w$/.-])make[ \t]+([a-z][\w-]*)")
COMMAND = re.compile(r"(?<![\w/.~@-])(taptrail|tagwriter)(?=[ \t]|$)(.*)$", re.MULTILINE)
SUBCOMMAND = re.compile(r"[a-z][a-z0-9-]*(?:/[a-z][a-z0-9-]*)*")


@dataclass(frozen=True)
class Page:
    """A Markdown page split into its prose and the code it shows."""

    path: Path
    prose: str
    code: list[str]

    @property
    def name(self) -> str:
        """The page's path from the repository root, for messages."""
        return str(self.path.relative_to(ROOT))


def read(path: Path) -> Page:
    """The page, with fenced blocks and code spans taken out of its prose."""
    text = path.read_text(encoding="utf-8")
    code = [block.group(0) for block in FENCE.finditer(text)]
    prose = FENCE.sub("", text)
    code += [span.group(2) for span in CODE_SPAN.finditer(prose)]
    prose = CODE_SPAN.sub("code", prose)
    return Page(path, prose, code)


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    """README.md and every page of docs/."""
    return [read(path) for path in PAGES]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor of a Markdown page, numbered as GitHub numbers repeated headings."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Page) -> Iterator[tuple[str, str]]:
    """(kind, target) of each relative link and image of the page; web links are left out."""
    for match in LINK.finditer(page.prose):
        target = match.group(2)
        if urlsplit(target).scheme:
            continue
        yield ("image" if match.group(1) else "link"), target


def test_every_relative_link_and_image_points_at_a_file_and_heading_that_exist(pages):
    broken = []
    for page in pages:
        for kind, target in links(page):
            parts = urlsplit(target)
            file = (page.path.parent / unquote(parts.path)).resolve() if parts.path else page.path
            if not file.exists():
                broken.append(f"{page.name}: {kind} {target}: no such file")
                continue
            if kind == "image" and not file.is_file():
                broken.append(f"{page.name}: image {target} is not a file")
            if parts.fragment and file.suffix == ".md" and parts.fragment not in anchors(file):
                broken.append(f"{page.name}: {target}: no heading with that anchor")
    assert not broken, "\n".join(broken)


def test_the_readme_links_to_every_docs_page(pages):
    readme = pages[0]
    linked = {(ROOT / urlsplit(target).path).resolve() for _, target in links(readme)}
    missing = [str(page.relative_to(ROOT)) for page in DOCS.glob("*.md") if page not in linked]
    assert not missing, f"README.md links to none of {missing}"


def test_every_screenshot_is_shown_somewhere(pages):
    shown = {
        (page.path.parent / urlsplit(target).path).resolve()
        for page in pages
        for kind, target in links(page)
        if kind == "image"
    }
    unused = [p.name for p in sorted((DOCS / "screenshots").glob("*.png")) if p not in shown]
    assert not unused, f"screenshots no page shows: {unused}"


def test_every_repository_path_and_module_the_docs_name_exists(pages):
    missing = []
    for page in pages:
        for code in page.code:
            if "\n" in code:  # fenced blocks hold commands and output, not references
                continue
            if REPO_PATH.fullmatch(code) and not (ROOT / code).exists():
                missing.append(f"{page.name}: {code}")
            if DOTTED.fullmatch(code) and not names_something(code.removesuffix("()")):
                missing.append(f"{page.name}: {code}")
        for code in page.code:
            for module in PYTHON_MODULE.findall(code):
                if module_file(module) is None:
                    missing.append(f"{page.name}: python -m {module}")
    assert not missing, "named in the docs, missing from the tree:\n" + "\n".join(missing)


def module_file(dotted: str) -> Path | None:
    """The file of a module or package of this repository, if there is one."""
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def names_something(dotted: str) -> bool:
    """A module, or a name defined or imported in the longest module the dotted path starts with."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        file = module_file(".".join(parts[:end]))
        if file is not None:
            rest = parts[end:]
            return not rest or re.search(rf"\b{rest[0]}\b", file.read_text()) is not None
    return False


def make_targets() -> set[str]:
    """The targets the Makefile defines."""
    text = (ROOT / "Makefile").read_text()
    return {
        target
        for line in re.findall(r"^(\w[\w. -]*?)[ \t]*:(?!=)", text, re.MULTILINE)
        for target in line.split()
    }


def test_every_make_target_the_docs_name_exists(pages):
    targets = make_targets()
    unknown = [
        f"{page.name}: make {target}"
        for page in pages
        for code in page.code
        for target in MAKE.findall(code)
        if target not in targets
    ]
    assert not unknown, f"not in the Makefile ({sorted(targets)}):\n" + "\n".join(unknown)


def command_lines() -> dict[str, click.Command]:
    """The click command of each console script the project installs."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    found = {}
    for name, target in scripts.items():
        module, _, attribute = target.partition(":")
        found[name] = getattr(importlib.import_module(module), attribute)
    return found


def missing_subcommands(root: click.Command, name: str, words: str) -> list[str]:
    """The words of `name words...` that name no command where the command tree has groups."""
    # A FlaskGroup sets FLASK_RUN_FROM_CLI while making its context: keep that to this call.
    with mock.patch.dict(os.environ):
        context = root.make_context(name, [], resilient_parsing=True)
        command, path, missing = root, name, []
        for word in words.split():
            word = word.rstrip(")]'\",.;:")
            if not isinstance(command, click.Group) or not SUBCOMMAND.fullmatch(word):
                break
            found = {each: command.get_command(context, each) for each in word.split("/")}
            missing += [f"{path} {each}" for each, sub in found.items() if sub is None]
            if len(found) > 1 or None in found.values():
                break
            command, path = found[word], f"{path} {word}"
            context = command.make_context(word, [], parent=context, resilient_parsing=True)
        return missing


def test_every_taptrail_and_tagwriter_command_the_docs_name_exists(pages):
    roots = command_lines()
    missing = {
        f"{page.name}: {problem}"
        for page in pages
        for code in page.code
        for name, words in COMMAND.findall(code)
        for problem in missing_subcommands(roots[name], name, words)
    }
    assert not missing, "no such command:\n" + "\n".join(sorted(missing))


def test_the_field_tools_pointer_to_the_guide_leads_to_a_heading():
    from tagwriter.device import GUIDE

    heading, page = re.fullmatch(r"see '(.+)' in (\S+)", GUIDE).groups()
    assert (ROOT / page).is_file(), GUIDE
    assert slug(heading) in anchors(ROOT / page), GUIDE
