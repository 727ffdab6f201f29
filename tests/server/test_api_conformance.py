"""schemathesis against the OpenAPI document and the real server, anonymous and with a token
of each scope, on the demo data: no server error, every answer as documented, valid requests
accepted and invalid ones refused, 405 with Allow. Bounded: a fixed seed and a few examples per
operation (about half a minute in all on a 2-core machine)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from server import create_app
from server.db import database
from server.services.tokens import create_token
from tests.server.conftest import demo_traffic_copy, settings
from tests.support.live_server import serving

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED, EXAMPLES = 20261202, 10
# What each run covers: every operation anonymously (the secured ones must answer 401); with an
# encode token, the field tool's operations; with a read-analytics token, the figures. The public
# operations never read the Authorization header, so the anonymous run covers them for all three
# (sent with a token, the same requests would take the same path).
RUNS = {"anonymous": None, "encode": "encode", "read-analytics": "read-analytics"}
FIGURES = "^/stats/"


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, keyring
) -> Iterator[tuple[str, Flask]]:  # type: ignore[no-untyped-def]
    """The demo (with its taps, for the figures) served on a loopback port: a copy of the
    run's demo database with its taps stored as `taptrail demo` does."""
    folder = tmp_path_factory.mktemp("conformance")
    app = create_app(settings(folder, demo_traffic_copy(request, folder), keyring))
    with serving(app) as base:
        yield base, app


def _secured_paths(app: Flask) -> list[str]:
    """The paths of the document's operations that ask for a token."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return sorted(
        path
        for path, operations in document["paths"].items()
        if any("security" in operation for operation in operations.values())
    )


def _filters(app: Flask, scope: str | None) -> list[str]:
    """Which operations a run covers (see RUNS)."""
    if scope is None:
        return []
    if scope == "read-analytics":
        return ["--include-path-regex", FIGURES]
    field_tool = [p for p in _secured_paths(app) if not re.match(FIGURES, p)]
    assert field_tool, "the document declares no secured operation outside the figures"
    return ["--include-path-regex", f"^({'|'.join(map(re.escape, field_tool))})$"]


def _config(app: Flask, scope: str | None, folder: Path) -> Path:
    """The settings file of a run. Anonymous, a secured operation stops at the token check
    before reading any parameter: the coverage phase's hundreds of parameter variants would all
    take that one path, so they skip it there; fuzzing still sends each of them valid and invalid
    data, with made-up tokens or none."""
    if scope is not None:
        return CONFIG
    secured = "|".join(map(re.escape, _secured_paths(app)))
    config = folder / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text()
        + f"\n[[operations]]\ninclude-path-regex = '^({secured})$'\n"
        + "phases.coverage.enabled = false\n"
    )
    return config


def _token(app: Flask, scope: str) -> str:
    with database(app).transaction() as session:
        return create_token(session, f"schemathesis {scope}", [scope])[0]


@pytest.mark.parametrize("run", RUNS)
def test_the_api_conforms_to_its_document(served, tmp_path, run):
    base, app = served
    scope = RUNS[run]
    filters = _filters(app, scope)
    config = _config(app, scope, tmp_path)
    headers = ["--header", f"Authorization: Bearer {_token(app, scope)}"] if scope else []
    command = [
        *(str(Path(sys.executable).with_name("st")), "--config-file", str(config), "--no-color"),
        *("run", f"{base}/api/v1/openapi.json", "--checks", "all", "--workers", "1"),
        *("--seed", str(SEED), "--max-examples", str(EXAMPLES), "--generation-database", "none"),
        *headers,
        *filters,
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    assert "Tested:" in report  # it did run the operations
