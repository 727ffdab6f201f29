"""The place page with 10,000 items in the database: median server time and byte size printed.

    python -m bench.pages [--items 10000] [--runs 300]

The items are bench.nearby's (shops, offers and sights spread around the demo's places). A run
is one whole request through the app (routing, the nearby query, rendering, the kept copy), on
a warm process, timed in process so that only the server's own work is measured (wall time,
and the process's CPU time, which a busy machine disturbs less). Target: a median of at most
10 ms, and a page of at most 30 KB of HTML and CSS.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench.nearby import options, populated_app

BUDGET_MS = 10
BUDGET_BYTES = 30 * 1024


def main() -> None:
    """Fill the database, then time the place pages of La Piscine and the Wazemmes market."""
    chosen = options(__doc__)
    # A Saturday afternoon, when most of the bench's shops are open.
    saturday = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    with populated_app(chosen.items, FIXED_NOW=saturday) as app:
        from server.db import database

        client = app.test_client()
        for slug in ("la-piscine", "marche-de-wazemmes"):
            for lang in ("fr", "en"):
                headers = {"Accept-Language": lang}
                body = client.get(f"/p/{slug}", headers=headers).get_data()
                # A new minute at every run, so no opening state is reused from the run before:
                # the page as the first tap of a minute gets it (taps within a minute share).
                wall, cpu = [], []
                for run in range(chosen.runs):
                    app.config["FIXED_NOW"] = saturday + dt.timedelta(minutes=run + 1)
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(f"/p/{slug}", headers=headers)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    wall.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                print(
                    f"/p/{slug} ({lang}): {chosen.items} items in the database, "
                    f"{body.count(b'<h3>')} listed, {len(body):,} bytes "
                    f"(budget {BUDGET_BYTES:,}); median {statistics.median(wall):.2f} ms "
                    f"(CPU {statistics.median(cpu):.2f} ms), p90 "
                    f"{statistics.quantiles(wall, n=10)[-1]:.2f} ms over {chosen.runs} runs "
                    f"({database(app).dialect}; target median <= {BUDGET_MS} ms)"
                )


if __name__ == "__main__":
    main()
