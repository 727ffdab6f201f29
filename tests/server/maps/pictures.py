"""Reading the map pictures the server draws, as a person checking them would: where each
numbered marker, the visitor's square and the scale bar are."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Picture:
    """What a map shows, in its own units."""

    markers: dict[int, tuple[float, float]]  # number -> centre (items at one spot share it)
    here: tuple[float, float] | None
    metres_per_unit: float  # from the scale bar
    texts: list[str]
    root: ET.Element


def read(svg: str | bytes) -> Picture:
    """The markers, the visitor's place and the scale of a map picture."""
    root = ET.fromstring(svg)
    markers: dict[int, tuple[float, float]] = {}
    elements = list(root.iter())
    for index, element in enumerate(elements):
        following = elements[index + 1] if index + 1 < len(elements) else None
        if following is None or following.tag != f"{SVG}text":
            continue
        if element.tag == f"{SVG}circle":
            centre = (float(element.get("cx")), float(element.get("cy")))
        elif element.tag == f"{SVG}rect" and element.get("class") == "pill":
            centre = (
                float(element.get("x")) + float(element.get("width")) / 2,
                float(element.get("y")) + float(element.get("height")) / 2,
            )
        else:
            continue
        for number in (following.text or "").split(","):
            markers[int(number)] = centre
    here = None
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("class") == "here":
            here = (
                float(rect.get("x")) + float(rect.get("width")) / 2,
                float(rect.get("y")) + float(rect.get("height")) / 2,
            )
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    scale = None
    for path in root.iter(f"{SVG}path"):
        found = re.fullmatch(r"M[\d.]+ [\d.]+v4h([\d.]+)v-4", path.get("d", ""))
        if found:
            scale = float(found.group(1))
    label = next(t for t in texts if re.fullmatch(r"\d+ k?m", t))
    metres = float(label.split()[0]) * (1000 if label.endswith("km") else 1)
    return Picture(markers, here, metres / scale, texts, root)
