"""Street maps: the size of the pictures and the time to draw them, and the time to route a walk.

    python -m bench.maps [--items 2000] [--runs 20]

Two maps. The demo's, drawn by hand (server/demo/streets.osm), with `--items` more items around
the demo's places (bench.nearby's), so that place pages list their most (60 entries, 60
markers): each demo place page's map, drawn through the app (its URL taken from the page) and
then served from the kept copy. And a generated town centre the size of a real one: a 3 km
square of streets 50 m apart (3,600 crossings, 120 named streets, a park every few blocks,
footways across), written as an .osm file and imported with `taptrail import osm`'s reader:
its import, its maps 600 m and 2.5 km wide, and walks between random corners. Times are wall
and CPU time in process, medians of `--runs`; sizes in bytes of SVG.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.nearby import options, populated_app


def _timed(runs: int, work) -> tuple[float, float, object]:
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        result = work()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def _town(folder: Path) -> Path:
    """A 3 km square town centre: 61 x 61 crossings 50 m apart, parks, diagonal footways."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6">']
    lat0, lon0, size, step = 50.69229 - 0.0135, 3.16782 - 0.0213, 61, 50.0
    dlat, dlon = step / 111_195.0, step / (111_195.0 * 0.6334)

    def ident(row: int, col: int) -> int:
        return 1 + row * size + col

    for row in range(size):
        for col in range(size):
            lat, lon = lat0 + row * dlat, lon0 + col * dlon
            lines.append(f'<node id="{ident(row, col)}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    way = 100000
    for row in range(size):
        refs = "".join(f'<nd ref="{ident(row, c)}"/>' for c in range(size))
        kind = "secondary" if row % 10 == 0 else "residential"
        lines.append(
            f'<way id="{way}">{refs}<tag k="highway" v="{kind}"/>'
            f'<tag k="name" v="Rue numéro {row}"/></way>'
        )
        way += 1
    for col in range(size):
        refs = "".join(f'<nd ref="{ident(r, col)}"/>' for r in range(size))
        lines.append(
            f'<way id="{way}">{refs}<tag k="highway" v="residential"/>'
            f'<tag k="name" v="Avenue numéro {col}"/></way>'
        )
        way += 1
    for row in range(0, size - 1, 3):
        for col in range(0, size - 1, 3):
            refs = f'<nd ref="{ident(row, col)}"/><nd ref="{ident(row + 1, col + 1)}"/>'
            lines.append(f'<way id="{way}">{refs}<tag k="highway" v="footway"/></way>')
            way += 1
            if (row + col) % 12 == 0:
                corners = [(row + 1, col + 1), (row + 1, col + 2), (row + 2, col + 2)]
                corners += [(row + 2, col + 1), (row + 1, col + 1)]
                ring = "".join(f'<nd ref="{ident(r, c)}"/>' for r, c in corners)
                lines.append(f'<way id="{way}">{ring}<tag k="leisure" v="park"/></way>')
                way += 1
    lines.append("</osm>")
    path = folder / "town.osm"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    """Draw the demo's maps through the app, then import, draw and route the generated town."""
    chosen = options(__doc__)
    with populated_app(chosen.items) as app:
        from bs4 import BeautifulSoup
        from sqlalchemy import select

        from server.db import database
        from server.models import Place

        client = app.test_client()
        with database(app).sessions() as session:
            slugs = session.scalars(select(Place.slug).order_by(Place.slug)).all()
        print("demo place pages (map drawn once, then served as kept):")
        for slug in slugs:
            page = client.get(f"/p/{slug}", headers={"Accept-Language": "en"})
            image = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("img.map")
            if image is None:
                print(f"  {slug}: no map")
                continue
            started = time.perf_counter()
            svg = client.get(image["src"]).get_data()
            first = (time.perf_counter() - started) * 1000
            wall, _, _ = _timed(chosen.runs, lambda src=image["src"]: client.get(src))
            print(
                f"  {slug}: page {len(page.get_data())} B (map URL {len(image['src'])} B), "
                f"map {len(svg)} B, drawn in {first:.1f} ms, kept copy served in {wall:.2f} ms"
            )

    from server.importers.osm import read_extract, region_around
    from server.maps import projection, streets
    from server.services import walking
    from server.services.street_maps import MapData

    with tempfile.TemporaryDirectory() as folder:
        path = _town(Path(folder))
        centre = (50.69229, 3.16782)
        region = region_around(1, [centre], 1500)
        wall, cpu, found = _timed(1, lambda: read_extract(path, [region]))
        data = found[1].as_data()  # type: ignore[index]
        print(
            f"generated town: {path.stat().st_size // 1024} KB of .osm read in {wall:.0f} ms "
            f"(CPU {cpu:.0f} ms): {len(data['lines'])} lines, {len(data['areas'])} areas, "
            f"{len(data['nodes']) // 2} graph points, {len(data['edges'])} links"
        )
        town = MapData(1, "bench", data["lines"], data["areas"], data["nodes"], data["edges"])
        rng = random.Random(14)

        def spot(metres: float) -> tuple[float, float]:
            return (
                centre[0] + rng.uniform(-metres, metres) / 111_195.0,
                centre[1] + rng.uniform(-metres, metres) / (111_195.0 * 0.6334),
            )

        for span in (600, 2500):
            markers = [streets.Marker(n, *spot(span * 0.4)) for n in range(1, 61)]
            frame = projection.Frame(centre, span, 400, 300)
            wall, cpu, svg = _timed(
                chosen.runs, lambda f=frame, m=markers: streets.draw(f, town, m, here=centre)
            )
            print(
                f"  map {span} m wide, 60 markers: {len(svg)} B, drawn in {wall:.1f} ms "  # type: ignore[arg-type]
                f"(CPU {cpu:.1f} ms)"
            )
        wall, cpu, _ = _timed(1, lambda: walking.graph(town))
        print(f"  walking graph built in {wall:.0f} ms (CPU {cpu:.0f} ms), once per import")
        pairs = [(spot(1200), spot(1200)) for _ in range(chosen.runs)]
        legs = iter(pairs)
        wall, cpu, _ = _timed(chosen.runs, lambda: walking.legs(town, list(next(legs))))
        ratios = [
            walking.legs(town, [a, b])[0].metres / max(walking.legs(None, [a, b])[0].metres, 1.0)
            for a, b in pairs
        ]
        print(
            f"  one leg between random points up to 2.4 km apart: {wall:.1f} ms "
            f"(CPU {cpu:.1f} ms); route / straight line: median {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
