"""A street map drawn as SVG from a territory's imported extract: streets, squares, water,
parks, street names, a walk's route, and numbered markers that match a page's list.

Only what shows is drawn, points closer than a pixel and a half are merged, and coordinates
keep one decimal, so a map of a town centre stays a few tens of kilobytes. With no imported map
(or while it cannot be read) the markers are drawn on a plain background.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import escape

from server.maps.projection import Frame
from server.maps.svg import INK
from server.services.street_maps import MapData

BACKGROUND = "#f2efe9"
AREA_FILL = {"park": "#c8e6b4", "water": "#a8d3e6", "square": "#e4e0d8", "building": "#ddd4cc"}
AREA_ORDER = ("park", "square", "water", "building")
STREET_WIDTH = {"major": 7.0, "minor": 4.6, "foot": 1.6}  # at 1 pixel per 1.5 metres
MARKER = "#b3261e"  # dark red: the numbers in white read at 5.9:1
ROUTE = "#0b57d0"
SIMPLIFY_PX = 1.5
LABEL_SIZE = 9.0
SCALE_STEPS = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


@dataclass(frozen=True)
class Marker:
    """A spot: its number is the item's place in the page's list (0: a spot with no number)."""

    number: int
    latitude: float
    longitude: float


def _shown_kinds(frame: Frame) -> set[str]:
    """The street classes worth drawing at this scale: footways go first as the map widens."""
    if frame.span_m > 5000:
        return {"major", "water"}
    if frame.span_m > 2500:
        return {"major", "minor", "water"}
    return {"major", "minor", "foot", "water"}


def _points(frame: Frame, flat: Sequence[float]) -> list[tuple[float, float]]:
    return [frame.pixel(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


def _simplified(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The line with the points it can do without (Douglas-Peucker, within SIMPLIFY_PX / 2)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    pending = [(0, len(points) - 1)]
    while pending:
        first, last = pending.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                off = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                off = math.hypot(x - x1, y - y1)
            if off > farthest:
                farthest, index = off, i
        if farthest > SIMPLIFY_PX / 2:
            keep[index] = True
            pending += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _runs(frame: Frame, points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The parts of a line that show, each with one point beyond the edge on both sides."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for index in range(len(points) - 1):
        a, b = points[index], points[index + 1]
        if _segment_shows(frame, a, b):
            if not current:
                current.append(a)
            current.append(b)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _segment_shows(frame: Frame, a: tuple[float, float], b: tuple[float, float]) -> bool:
    margin = 20.0
    return not (
        max(a[0], b[0]) < -margin
        or min(a[0], b[0]) > frame.width + margin
        or max(a[1], b[1]) < -margin
        or min(a[1], b[1]) > frame.height + margin
    )


def _path(runs: Iterable[list[tuple[float, float]]], close: bool = False) -> str:
    parts = []
    for run in runs:
        head, *rest = run
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}"
            + ("L" + " ".join(f"{x:.1f} {y:.1f}" for x, y in rest) if rest else "")
            + ("z" if close else "")
        )
    return "".join(parts)


def _box(flat: Sequence[float]) -> tuple[float, float, float, float]:
    lats, lons = flat[0::2], flat[1::2]
    return min(lats), max(lats), min(lons), max(lons)


def _areas(frame: Frame, data: MapData) -> list[str]:
    by_kind: dict[str, list[str]] = {kind: [] for kind in AREA_ORDER}
    for kind, _name, rings in data.areas:
        outline = rings[0]  # type: ignore[index]
        if kind not in by_kind or not frame.overlaps(*_box(outline)):
            continue
        drawn = [_simplified(_points(frame, ring)) for ring in rings]  # type: ignore[attr-defined]
        by_kind[str(kind)].append(_path((r for r in drawn if len(r) >= 3), close=True))
    return [
        f'<path fill="{AREA_FILL[kind]}" fill-rule="evenodd" d="{"".join(paths)}"/>'
        for kind, paths in by_kind.items()
        if paths
    ]


@dataclass
class _Label:
    """A street name and the piece of its street (in the picture) it may be written along."""

    name: str
    run: list[tuple[float, float]]
    length: float


def _lines(frame: Frame, data: MapData) -> tuple[list[str], list[_Label]]:
    shown = _shown_kinds(frame)
    runs: dict[str, list[list[tuple[float, float]]]] = {k: [] for k in STREET_WIDTH | {"water": 0}}
    best: dict[str, _Label] = {}
    for kind, name, flat in data.lines:
        if kind not in shown or not frame.overlaps(*_box(flat)):  # type: ignore[arg-type]
            continue
        for run in _runs(frame, _simplified(_points(frame, flat))):  # type: ignore[arg-type]
            runs[str(kind)].append(run)
            if name and kind != "water":
                _candidate(frame, str(name), run, best)
    widen = min(max(1.5 * frame.per_metre, 0.6), 1.6)  # streets thin out as the map widens
    out: list[str] = []
    if runs["water"]:
        out.append(
            f'<path fill="none" stroke="{AREA_FILL["water"]}" stroke-width="{3 * widen:.1f}" '
            f'stroke-linecap="round" d="{_path(runs["water"])}"/>'
        )
    # Grey edges first, then the streets over them, so crossings join without a seam.
    for kind in ("major", "minor"):
        if runs[kind]:
            out.append(
                f'<path fill="none" stroke="#c9c0b4" '
                f'stroke-width="{STREET_WIDTH[kind] * widen + 1.4:.1f}" stroke-linecap="round" '
                f'stroke-linejoin="round" d="{_path(runs[kind])}"/>'
            )
    for kind, colour in (("minor", "#fff"), ("major", "#fde2b5")):
        if runs[kind]:
            out.append(
                f'<path fill="none" stroke="{colour}" '
                f'stroke-width="{STREET_WIDTH[kind] * widen:.1f}" stroke-linecap="round" '
                f'stroke-linejoin="round" d="{_path(runs[kind])}"/>'
            )
    if runs["foot"]:
        out.append(
            f'<path fill="none" stroke="#8c7b6b" stroke-width="{STREET_WIDTH["foot"]:.1f}" '
            f'stroke-dasharray="3 2" d="{_path(runs["foot"])}"/>'
        )
    return out, list(best.values())


def _clip(
    a: tuple[float, float], b: tuple[float, float], box: tuple[float, float, float, float]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the segment a-b inside the box (Liang-Barsky), or None."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]), (dy, box[3] - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    return (x1 + low * dx, y1 + low * dy), (x1 + high * dx, y1 + high * dy)


def _candidate(
    frame: Frame, name: str, run: list[tuple[float, float]], best: dict[str, _Label]
) -> None:
    """Keep, for each street name, the longest piece of it inside the picture."""
    box = (6.0, 6.0, frame.width - 6.0, frame.height - 6.0)
    pieces: list[list[tuple[float, float]]] = []
    for a, b in itertools.pairwise(run):
        clipped = _clip(a, b, box)
        if clipped is None:
            continue
        if pieces and pieces[-1][-1] == clipped[0]:
            pieces[-1].append(clipped[1])
        else:
            pieces.append(list(clipped))
    for piece in pieces:
        length = sum(math.dist(a, b) for a, b in itertools.pairwise(piece))
        if length and (name not in best or length > best[name].length):
            # Written left to right, never upside down.
            ordered = piece if piece[-1][0] >= piece[0][0] else piece[::-1]
            best[name] = _Label(name, ordered, length)


def _middle_box(label: _Label, width: float) -> tuple[float, float, float, float] | None:
    """The box around the middle `width` of the label's run, where the name is written."""
    start, end = (label.length - width) / 2, (label.length + width) / 2
    if start < 4:
        return None
    covered: list[tuple[float, float]] = []
    done = 0.0
    for a, b in itertools.pairwise(label.run):
        step = math.dist(a, b)
        if step and done + step >= start and done <= end:
            for along in (max(start, done), min(end, done + step)):
                t = (along - done) / step
                covered.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
        done += step
    xs, ys = [p[0] for p in covered], [p[1] for p in covered]
    half = LABEL_SIZE * 0.6
    return min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half


def _labels(
    labels: list[_Label], taken: list[tuple[float, float, float, float]], prefix: str = "s"
) -> str:
    """Street names along their street, where they fit and cover no other label or marker."""
    guides: list[str] = []
    texts: list[str] = []
    for label in sorted(labels, key=lambda lab: -lab.length):
        box = _middle_box(label, len(label.name) * LABEL_SIZE * 0.55)
        if box is None or any(_overlap(box, other) for other in taken):
            continue
        taken.append(box)
        ident = f"{prefix}{len(guides)}"
        guides.append(f'<path id="{ident}" d="{_path([label.run])}"/>')
        texts.append(
            f'<text><textPath href="#{ident}" startOffset="50%" dominant-baseline="middle">'
            f"{escape(label.name)}</textPath></text>"
        )
    if not texts:
        return ""
    return (
        "<defs>"
        + "".join(guides)
        + f'</defs><g font-size="{LABEL_SIZE:.0f}" fill="#4a4036" text-anchor="middle" '
        'stroke="#fff" stroke-width="2.4" paint-order="stroke" font-family="sans-serif">'
        + "".join(texts)
        + "</g>"
    )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(frame: Frame) -> str:
    metres = next((s for s in SCALE_STEPS if s * frame.per_metre >= 50), SCALE_STEPS[-1])
    length = metres * frame.per_metre
    y = frame.height - 8
    label = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
    return (
        f'<path d="M8 {y - 4}v4h{length:.1f}v-4" fill="none" stroke="{INK}" stroke-width="1.5"/>'
        f'<text x="{12 + length:.1f}" y="{y}" font-size="10" fill="{INK}" '
        f'font-family="sans-serif">{label}</text>'
    )


def _grouped(frame: Frame, markers: Sequence[Marker]) -> list[tuple[list[int], float, float]]:
    """The markers' numbers by spot: items at the same place (a shop and its offer) share one."""
    spots: list[tuple[list[int], float, float]] = []
    for marker in markers:
        x, y = frame.pixel(marker.latitude, marker.longitude)
        same = next((s for s in spots if math.hypot(s[1] - x, s[2] - y) < 3), None)
        if same is None:
            spots.append(([marker.number], x, y))
        elif marker.number:
            same[0].append(marker.number)
    return spots


def _marker(numbers: list[int], x: float, y: float) -> str:
    """A disc with its number, or a pill with several ("2,7")."""
    label = ",".join(str(n) for n in numbers if n)
    text = (
        f'<text x="{x:.1f}" y="{y + 4:.1f}" fill="#fff" stroke="none">{label}</text>'
        if label
        else ""
    )
    if len(label) <= 2:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>{text}'
    half = 3.3 * len(label) + 4
    return (
        f'<rect class="pill" x="{x - half:.1f}" y="{y - 9:.1f}" width="{2 * half:.1f}" '
        f'height="18" rx="9"/>{text}'
    )


Points = list[tuple[float, float]]


def shapes(
    frame: Frame, data: MapData
) -> tuple[list[tuple[str, list[Points]]], dict[str, list[Points]]]:
    """The map's shapes in picture units, for pictures drawn otherwise than in SVG (the
    portal's PNG picker): the areas (kind, rings) in drawing order, and the lines by kind."""
    areas: list[tuple[str, list[Points]]] = []
    for wanted in AREA_ORDER:
        for kind, _name, rings in data.areas:
            if kind == wanted and frame.overlaps(*_box(rings[0])):  # type: ignore[index]
                areas.append((wanted, [_simplified(_points(frame, r)) for r in rings]))  # type: ignore[attr-defined]
    shown = _shown_kinds(frame)
    lines: dict[str, list[Points]] = {kind: [] for kind in (*STREET_WIDTH, "water")}
    for kind, _name, flat in data.lines:
        if kind in shown and frame.overlaps(*_box(flat)):  # type: ignore[arg-type]
            lines[str(kind)] += _runs(frame, _simplified(_points(frame, flat)))  # type: ignore[arg-type]
    return areas, lines


def base(
    frame: Frame,
    data: MapData | None,
    avoid: Sequence[tuple[float, float, float, float]] = (),
    prefix: str = "s",
) -> tuple[list[str], str]:
    """The street map alone, for pictures that draw their own things over it: what goes under
    them (areas, streets), and the street names (kept clear of the `avoid` boxes) to put last.
    `prefix` keeps the names' ids apart when several pictures share a page."""
    if data is None:
        return [], ""
    lines, labels = _lines(frame, data)
    return _areas(frame, data) + lines, _labels(labels, list(avoid), prefix)


def draw(
    frame: Frame,
    data: MapData | None,
    markers: Sequence[Marker] = (),
    routes: Sequence[Sequence[tuple[float, float]]] = (),
    here: tuple[float, float] | None = None,
    title: str = "",
) -> str:
    """The SVG picture: the street map in `frame`, the routes, the visitor's place, the markers."""
    w, h = frame.width, frame.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">',
        f"<title>{escape(title)}</title>" if title else "",
        f'<rect width="{w}" height="{h}" fill="{BACKGROUND}"/>',
    ]
    labels: list[_Label] = []
    if data is not None:
        parts += _areas(frame, data)
        lines, labels = _lines(frame, data)
        parts += lines
    for route in routes:
        points = _simplified([frame.pixel(lat, lon) for lat, lon in route])
        if len(points) > 1:
            parts.append(
                f'<path fill="none" stroke="{ROUTE}" stroke-width="4" stroke-opacity=".8" '
                f'stroke-linecap="round" stroke-linejoin="round" d="{_path([points])}"/>'
            )
    taken: list[tuple[float, float, float, float]] = []
    spots = _grouped(frame, markers)
    for _numbers, x, y in spots:
        taken.append((x - 10, y - 10, x + 10, y + 10))
    if here is not None:
        x, y = frame.pixel(*here)
        taken.append((x - 8, y - 8, x + 8, y + 8))
    parts.append(_labels(labels, taken))
    if here is not None:
        x, y = frame.pixel(*here)
        parts.append(
            f'<rect class="here" x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" '
            f'fill="{INK}" stroke="#fff" stroke-width="2"/>'
        )
    if spots:
        parts.append(
            f'<g font-size="11" font-weight="bold" font-family="sans-serif" text-anchor="middle" '
            f'fill="{MARKER}" stroke="#fff" stroke-width="1.5">'
        )
        # The first item on top: drawn last.
        for numbers, x, y in reversed(spots):
            parts.append(_marker(numbers, x, y))
        parts.append("</g>")
    parts.append(_scale_bar(frame))
    parts.append(
        f'<text x="{w - 4}" y="{h - 4}" font-size="8" text-anchor="end" fill="{INK}" '
        'font-family="sans-serif">© OpenStreetMap</text>'
        if data is not None
        else ""
    )
    parts.append("</svg>")
    return "".join(parts)
