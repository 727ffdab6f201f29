"""The taptrail commands: init-db, demo, tokens, batches, import, drain, rollups, purge; and the
same drain and mobility poll as the processes beside gunicorn's workers (server/background.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.background import main as background
from server.cli import main
from tags import codes
from tags.keyring import Keyring
from tests.support.demo import Demo


def cli_settings(folder: Path) -> dict[str, str]:
    """Settings for a command run: a SQLite database, keyring file, spool, cache and photos in
    `folder` (the keyring file is not written here)."""
    return {
        "TAPTRAIL_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}",
        "TAPTRAIL_SIGNING_KEYS_FILE": str(folder / "keys.json"),
        "TAPTRAIL_SIGNING_KEYS": "",
        "TAPTRAIL_SECRET_KEY": "cli-secret",
        "TAPTRAIL_SPOOL_DIR": str(folder / "spool"),
        "TAPTRAIL_CACHE_DIR": str(folder / "cache"),
        "TAPTRAIL_MEDIA_DIR": str(folder / "media"),
        "TAPTRAIL_MOBILITY_DIR": str(folder / "mobility"),
        "TAPTRAIL_TAP_BASE_URL": "https://t.example.org",
        # The demo accounts' passwords are printed, never signed in with here: argon2 at its
        # full cost took a third of a second each (as settings() in conftest.py).
        "TAPTRAIL_PASSWORD_HASHING": "cheapest",
    }


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Settings for a command run: a fresh SQLite database and keyring under tmp_path."""
    Keyring.create().save(tmp_path / "keys.json")
    return cli_settings(tmp_path)


@pytest.fixture
def migrated_env(env: dict[str, str], tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """Settings for a command run where `taptrail init-db` was run: a copy of the session's
    migrated database (test_init_db_demo_batches_and_tokens runs the command)."""
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    return env


@pytest.fixture
def demo_env(tmp_path: Path, demo_sqlite: Demo, keyring: Keyring) -> dict[str, str]:
    """Settings for a command run on a database holding the demo and the keyring it was loaded
    with: a copy of the session's (`taptrail demo` takes seconds; the first test here runs it)."""
    demo_sqlite.copy_sqlite(tmp_path, "cli.db")
    keyring.save(tmp_path / "keys.json")
    return cli_settings(tmp_path)


def ok(runner, env, *args):
    result = runner.invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def test_init_db_demo_batches_and_tokens(runner, env, tmp_path):
    assert "migrated the database from empty" in ok(runner, env, "init-db").output
    assert "up to date" in ok(runner, env, "init-db").output
    first = ok(runner, env, "demo", "--urls", "2").output
    assert "11 new stickers" in first and first.count("https://t.example.org/") == 2
    assert "0 new stickers (11 in all)" in ok(runner, env, "demo").output

    out = tmp_path / "batch.json"
    ok(
        runner,
        env,
        "batches",
        "issue",
        "--place",
        "la-piscine",
        "--count",
        "3",
        "--mirror",
        "uid",
        "--out",
        str(out),
    )
    manifest = json.loads(out.read_text())
    assert manifest["format"] == "taptrail-manifest/1" and len(manifest["stickers"]) == 3
    assert manifest["stickers"][0]["url"].endswith("?M=00000000000000")
    ring = Keyring.load(env["TAPTRAIL_SIGNING_KEYS_FILE"])
    assert all(codes.verify(ring, s["code"]) == s["tag_id"] for s in manifest["stickers"])
    exported = json.loads(ok(runner, env, "batches", "export", str(manifest["batch"])).output)
    assert exported == manifest
    assert (
        f"{manifest['batch']}  la-piscine  ntag213  0/3 encoded"
        in ok(runner, env, "batches", "list").output
    )

    created = ok(runner, env, "tokens", "create", "--scope", "encode", "--name", "laptop 1")
    token = created.stdout.strip()
    assert token.startswith("tt_") and "not shown again" in created.stderr
    listing = ok(runner, env, "tokens", "list").output
    assert "encode  active" in listing and token not in listing
    ok(runner, env, "tokens", "revoke", "1")
    assert "encode  revoked" in ok(runner, env, "tokens", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batches", "issue", "--place", "nowhere", "--count", "2"], "there is no place 'nowhere'"),
        (["batches", "export", "999"], "there is no batch 999"),
        (["tokens", "revoke", "42"], "there is no token 42"),
    ],
)
def test_domain_refusals_are_one_line_errors(runner, migrated_env, args, message):
    result = runner.invoke(main, args, env=migrated_env)
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_a_missing_schema_or_keyring_says_what_to_do(runner, demo_env, tmp_path):
    empty = {**demo_env, "TAPTRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = runner.invoke(main, ["batches", "list"], env=empty)
    assert result.exit_code == 1 and "run 'taptrail init-db'" in result.output
    missing = {**demo_env, "TAPTRAIL_SIGNING_KEYS_FILE": ""}
    result = runner.invoke(
        main, ["batches", "issue", "--place", "la-piscine", "--count", "1"], env=missing
    )
    assert result.exit_code == 1 and "taptrail keys create" in result.output


def test_import_commands_report_bad_files_and_good_ones(runner, demo_env, tmp_path):
    stops = tmp_path / "stops.txt"
    stops.write_text("stop_id,stop_name,stop_lat,stop_lon\nS,Stop,50.6,north\n")
    result = runner.invoke(main, ["import", "gtfs", str(stops), "--feed", "local"], env=demo_env)
    assert result.exit_code == 1 and "line 2, field 'stop_lon'" in result.output
    stops.write_text("stop_id,stop_name,stop_lat,stop_lon\nS,Stop,50.6,3.1\n")
    imported = ok(runner, demo_env, "import", "gtfs", str(stops), "--feed", "local").output
    assert "1 stop stored (1 new, 0 updated, 0 unchanged)" in imported
    content = tmp_path / "c.yaml"
    content.write_text(
        "pois:\n  - {slug: x, territory: roubaix, name: X, category: park,"
        " latitude: 50.6, longitude: 3.1}\n"
    )
    assert (
        "pois: 1 new, 0 updated" in ok(runner, demo_env, "import", "content", str(content)).output
    )
    ics = tmp_path / "e.ics"
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    ics.write_text(
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:u1\nDTSTART:{soon:%Y%m%dT%H%M%SZ}\n"
        "SUMMARY:Fête\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    args = [
        "import",
        "ical",
        str(ics),
        "--territory",
        "roubaix",
        "--latitude",
        "50.6",
        "--longitude",
        "3.1",
    ]
    assert (
        "1 occurrence stored (1 new, 0 updated, 0 unchanged)" in ok(runner, demo_env, *args).output
    )


def spool_one_tap(folder: str) -> None:
    """One tap in the spool at `folder`, as the tap path writes it (a malformed code's)."""
    from server.taps.spool import Spool

    spool = Spool(folder)
    spool.append(
        {
            "id": "a" * 32,
            "at": "2026-05-01T10:00:00+00:00",
            "code": "X",
            "tag_id": None,
            "outcome": "malformed",
            "visitor_id": "v",
            "visitor_kind": "hash",
            "human": False,
            "method": "GET",
        }
    )
    spool.close()


def test_drain_moves_spooled_taps(runner, migrated_env):
    spool_one_tap(migrated_env["TAPTRAIL_SPOOL_DIR"])
    assert "stored 1 taps (0 already stored), removed 1" in ok(runner, migrated_env, "drain").output


WEB_APP = ("server.portal", "server.visitor", "server.api", "server.analytics", "flask_babel")
# Run in a fresh interpreter: which of the web app's packages did the drain load?
PROBE = (
    "import sys; from server.background import main; main(sys.argv[1:], standalone_mode=False); "
    f"print('web app:', sorted(m for m in sys.modules if m.startswith({WEB_APP!r})))"
)


def test_the_background_drainer_stores_the_spool_without_loading_the_web_app(migrated_env):
    spool_one_tap(migrated_env["TAPTRAIL_SPOOL_DIR"])
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "drain"],
        env={**os.environ, **migrated_env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "stored 1 taps (0 already stored), removed 1" in result.stdout
    assert "web app: []" in result.stdout


def test_a_background_process_stops_on_an_unusable_setting_in_one_sentence(runner, migrated_env):
    bad = {**migrated_env, "TAPTRAIL_DATABASE_URL": "nosuchdb://here"}
    result = runner.invoke(background, ["drain", "--follow"], env=bad)
    assert result.exit_code == 1
    assert result.output.startswith("Error: TAPTRAIL_DATABASE_URL cannot be used")
    assert "Traceback" not in result.output


def test_the_background_poller_reads_the_feeds_setting(runner, migrated_env):
    result = runner.invoke(background, ["mobility", "poll", "--follow"], env=migrated_env)
    assert result.exit_code == 1
    assert "no feed is configured: set TAPTRAIL_MOBILITY_FEEDS" in result.output
    broken = {**migrated_env, "TAPTRAIL_MOBILITY_FEEDS": "/nonexistent/feeds.yaml"}
    result = runner.invoke(background, ["mobility", "poll", "--follow"], env=broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "TAPTRAIL_MOBILITY_FEEDS" in result.output


def test_the_purge_and_rebuild_commands_say_what_they_did(runner, migrated_env):
    assert (
        "checked 0 days: the rollups match"
        in ok(runner, migrated_env, "rollups", "rebuild", "--check").output
    )
    assert "recomputed 0 days" in ok(runner, migrated_env, "rollups", "refresh").output
    dry = ok(runner, migrated_env, "purge", "--dry-run").output
    assert dry.startswith("would delete 0 taps, 0 offer views and 0 visitor-days from before ")
    backwards = runner.invoke(
        main, ["rollups", "rebuild", "--from", "2026-05-02", "--to", "2026-05-01"], env=migrated_env
    )
    assert backwards.exit_code == 2 and "--to is before --from" in backwards.output
    too_long = runner.invoke(main, ["purge", "--months", "30"], env=migrated_env)
    assert too_long.exit_code == 2 and "30 is not in the range 1<=x<=25" in too_long.output


# Settings a host may have wrong: a database URL naming no database, a keyring it cannot read.
UNUSABLE = {
    "TAPTRAIL_DATABASE_URL": "nonsense://x",
    "TAPTRAIL_SIGNING_KEYS_FILE": "/nowhere/keys.json",
    "TAPTRAIL_SIGNING_KEYS": "",
}


def test_help_and_unknown_commands_build_no_app(runner):
    listed = runner.invoke(main, ["--help"], env=UNUSABLE)
    assert listed.exit_code == 0 and "Error" not in listed.output
    commands = [line.split()[0] for line in listed.output.split("Commands:\n")[1].splitlines()]
    assert commands == [
        "backup",
        "batches",
        "brand",
        "demo",
        "drain",
        "import",
        "init-db",
        "keys",
        "mobility",
        "partitions",
        "pictures",
        "purge",
        "quarantine",
        "restore",
        "rollups",
        "routes",
        "status",
        "tokens",
        "users",
    ]
    unknown = runner.invoke(main, ["run"], env=UNUSABLE)
    assert unknown.exit_code == 2 and "No such command 'run'" in unknown.output
    assert "TAPTRAIL" not in unknown.output
    other_app = runner.invoke(main, ["--app", "elsewhere:app", "status"], env=UNUSABLE)
    assert other_app.exit_code == 2 and "No such option '--app'" in other_app.output


def test_routes_lists_the_url_map_without_a_keyring(runner, env):
    listed = ok(runner, {**env, "TAPTRAIL_SIGNING_KEYS_FILE": ""}, "routes", "--sort", "rule")
    rules = {(line.split()[0], line.split()[-1]) for line in listed.output.splitlines()[2:]}
    assert ("portal.login", "/portal/login") in rules and ("tap.tap", "/<code>") in rules
    refused = runner.invoke(main, ["routes"], env=UNUSABLE)
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: TAPTRAIL_SIGNING_KEYS_FILE: cannot read the keyring")


def test_an_ntag424_batch_from_the_command_line(runner, demo_env):
    issued = ok(
        runner,
        demo_env,
        "batches",
        "issue",
        "--place",
        "la-piscine",
        "--count",
        "1",
        "--chip",
        "ntag424",
    )
    manifest = json.loads(issued.output)
    assert manifest["chip"] == "ntag424"
    assert manifest["stickers"][0]["url"].endswith("?e=" + "0" * 32 + "&c=" + "0" * 16)
    refused = runner.invoke(
        main,
        [
            "batches",
            "issue",
            "--place",
            "la-piscine",
            "--count",
            "1",
            "--chip",
            "ntag424",
            "--lock",
        ],
        env=demo_env,
    )
    assert refused.exit_code == 1 and "lock is for NTAG21x stickers" in refused.output


def test_commands_that_do_not_migrate_never_load_alembic():
    # Every command, the drainer gunicorn keeps beside its workers included, would pay a third
    # of a second of CPU for it at each start; init-db, backup and restore import it themselves.
    probe = (
        "import sys; from server.cli import main; from server import create_app; "
        "from server.taps import drainer; print(sorted(m for m in sys.modules if "
        "m.split('.')[0] in ('alembic', 'mako')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
