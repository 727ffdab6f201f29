"""Reading pages as a visitor would: the listed items, their text, the page's JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup, Tag


def page(response: Any) -> BeautifulSoup:
    """The HTML of a test-client response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(node: Tag | None) -> str:
    """The text of a node with its whitespace collapsed, as it reads on screen."""
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def items(soup: BeautifulSoup) -> list[Tag]:
    """The entries of the nearby list."""
    return soup.select("ol.items > li")


def titles(soup: BeautifulSoup) -> list[str]:
    """The titles of the nearby list, in order."""
    return [text(item.find("h3")) for item in items(soup)]


def json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The page's schema.org description."""
    script = soup.find("script", type="application/ld+json")
    assert script is not None, "the page has no JSON-LD"
    return json.loads(script.string or "")
