"""The sitemap with 10,000 items in the database: median server time, queries and size printed.

    python -m bench.sitemap [--items 10000] [--runs 300]

The items are bench.nearby's (shops, offers and sights spread around the demo's places). A run
is one whole request through the app, on a warm process, timed in process (wall time, and the
process's CPU time, which a busy machine disturbs less): /sitemap.xml (an index at this size)
and /sitemap-1.xml, each of which reads every published page (the index needs all their dates,
a file needs to know where it starts).
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import event

from bench.nearby import options, populated_app


def main() -> None:
    """Fill the database, then time the sitemap index and its first file."""
    chosen = options(__doc__)
    with populated_app(chosen.items) as app:
        from server.db import database

        client = app.test_client()
        queries = []
        event.listen(
            database(app).engine, "before_cursor_execute", lambda *_args: queries.append(1)
        )
        for path in ("/sitemap.xml", "/sitemap-1.xml"):
            wall, cpu = [], []
            for _run in range(chosen.runs):
                queries.clear()
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(
                f"{path}: {chosen.items} items in the database, {len(response.data):,} bytes, "
                f"{len(queries)} queries; median {statistics.median(wall):.1f} ms "
                f"(CPU {statistics.median(cpu):.1f} ms) over {chosen.runs} runs "
                f"({database(app).dialect})"
            )


if __name__ == "__main__":
    main()
