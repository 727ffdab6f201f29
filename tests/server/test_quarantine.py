"""No single spooled line can stop the drainer: what cannot be stored goes to the quarantine."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from server.cli import main
from server.db import database, failure_kind
from server.models import Tap
from server.taps import drain as drain_module
from server.taps import quarantine
from server.taps.drain import drain
from server.taps.spool import Spool
from tests.server.test_spool import record


def stored_ids(app) -> set[str]:
    with database(app).sessions() as session:
        return set(session.scalars(select(Tap.id)))


def refuse_code(app, code: str, *, sqlstate: str = "23514") -> None:
    """Make the database itself refuse taps with this code, as a constraint or trigger would."""
    with database(app).transaction() as session:
        if database(app).dialect == "sqlite":
            session.execute(
                text(
                    f"CREATE TRIGGER refuse_code BEFORE INSERT ON taps WHEN NEW.code = '{code}' "
                    "BEGIN SELECT RAISE(ABORT, 'this code is refused'); END"
                )
            )
            return
        session.execute(
            text(
                "CREATE FUNCTION refuse_code() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.code = '{code}' THEN RAISE EXCEPTION 'this code is refused' "
                f"USING ERRCODE = '{sqlstate}'; END IF; RETURN NEW; END $$"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER refuse_code BEFORE INSERT ON taps "
                "FOR EACH ROW EXECUTE FUNCTION refuse_code()"
            )
        )


def allow_codes_again(app) -> None:
    with database(app).transaction() as session:
        session.execute(text("DROP TRIGGER refuse_code" + ("" if _sqlite(app) else " ON taps")))


def _sqlite(app) -> bool:
    return database(app).dialect == "sqlite"


def test_a_nul_character_is_quarantined_and_every_other_tap_stored(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    poison = {**record(5), "code": "AB\x00CD"}  # what GET /AB%00CD spooled before the edge fix
    for number in range(10):
        spool.append(poison if number == 5 else record(number))
    spool.close()

    report = drain(database(app), spool.directory)

    assert (report.stored, report.quarantined) == (9, 1)
    assert stored_ids(app) == {record(n)["id"] for n in range(10)} - {poison["id"]}
    [entry] = quarantine.entries(spool.directory)
    assert entry["key"] == poison["id"] and entry["tap"] == poison
    assert "NUL" in entry["reason"]


def test_a_row_the_database_refuses_is_found_in_its_batch_and_quarantined(app, tmp_path):
    refuse_code(app, "EVIL")
    spool = Spool(tmp_path / "spool")
    taps = [record(n) for n in range(300)]
    taps[137]["code"] = "EVIL"
    for tap in taps:
        spool.append(tap)
    spool.close()

    report = drain(database(app), spool.directory)

    assert (report.stored, report.quarantined) == (299, 1)
    [entry] = quarantine.entries(spool.directory)
    assert entry["tap"]["id"] == taps[137]["id"] and "this code is refused" in entry["reason"]
    assert taps[137]["id"] not in stored_ids(app) and len(stored_ids(app)) == 299


@pytest.mark.parametrize("database_kind", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_error_the_codes_do_not_name_is_narrowed_down_while_the_database_answers(app, tmp_path):
    refuse_code(app, "ODD", sqlstate="P0001")  # raise_exception: neither content nor away
    spool = Spool(tmp_path / "spool")
    taps = [record(n) for n in range(20)]
    taps[3]["code"] = "ODD"
    for tap in taps:
        spool.append(tap)
    spool.close()

    report = drain(database(app), spool.directory)

    assert (report.stored, report.quarantined) == (19, 1)
    assert quarantine.entries(spool.directory)[0]["tap"]["id"] == taps[3]["id"]


def test_lines_that_are_not_taps_are_quarantined_with_the_reason(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.append(record(1))
    path = spool.path
    spool.close()
    broken = [
        b"not json",
        json.dumps({**record(2), "at": "yesterday"}).encode(),
        json.dumps({**record(3), "outcome": "splendid"}).encode(),
        json.dumps({**record(4), "tag_id": 2**40}).encode(),
        json.dumps({**record(5), "browser": "x" * 61}).encode(),
        json.dumps([1, 2]).encode(),
    ]
    with open(path, "ab") as handle:
        handle.write(b"\n".join([*broken, json.dumps(record(6)).encode()]) + b"\n")
        handle.write(b'{"id": "torn')

    report = drain(database(app), tmp_path / "spool")

    assert (report.stored, report.quarantined) == (2, 7)
    reasons = [entry["reason"] for entry in quarantine.entries(spool.directory)]
    assert reasons == [
        "not JSON",
        "at is not an ISO 8601 time",
        "unknown outcome 'splendid' or visitor kind 'hash'",
        "tag_id is not a whole number in range",
        "browser is longer than 60 characters",
        "not a JSON object",
        "a torn line",
    ]
    assert not path.exists()  # sealed, drained, removed


def test_a_batch_drained_again_after_a_crash_quarantines_nothing_twice(app, tmp_path, monkeypatch):
    spool = Spool(tmp_path / "spool")
    for number in range(4):
        spool.append({**record(number), "code": "\x00"} if number % 2 else record(number))
    spool.close()
    real = drain_module._write_offset

    def crash(*args):
        raise KeyboardInterrupt("killed after the commit, before the offset")

    monkeypatch.setattr(drain_module, "_write_offset", crash)
    with pytest.raises(KeyboardInterrupt):
        drain(database(app), spool.directory)
    monkeypatch.setattr(drain_module, "_write_offset", real)

    again = drain(database(app), spool.directory)

    assert (again.stored, again.skipped, again.quarantined) == (0, 2, 2)
    assert [e["key"] for e in quarantine.entries(spool.directory)] == [
        record(1)["id"],
        record(3)["id"],
    ]


def test_a_database_that_is_away_is_an_outage_not_a_refusal(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    for number in range(3):
        spool.append(record(number))
    spool.close()
    with database(app).transaction() as session:
        session.execute(text("ALTER TABLE taps RENAME TO taps_away"))  # not migrated, say
    try:
        with pytest.raises(Exception) as raised:
            drain(database(app), spool.directory)
        assert failure_kind(raised.value) == "away"
        assert quarantine.count(spool.directory) == 0
    finally:
        with database(app).transaction() as session:
            session.execute(text("ALTER TABLE taps_away RENAME TO taps"))
    assert drain(database(app), spool.directory).stored == 3


def cli_env(app) -> dict[str, str]:
    """Settings for a `taptrail` command on the same database, keys and spool as `app`."""
    return {
        "TAPTRAIL_DATABASE_URL": app.config["DATABASE_URL"],
        "TAPTRAIL_SIGNING_KEYS": app.config["SIGNING_KEYS"],
        "TAPTRAIL_SIGNING_KEYS_FILE": "",
        "TAPTRAIL_SECRET_KEY": "cli-secret",
        "TAPTRAIL_SPOOL_DIR": app.config["SPOOL_DIR"],
        "TAPTRAIL_CACHE_DIR": app.config["CACHE_DIR"],
    }


def test_replaying_stores_what_the_database_now_takes_and_keeps_the_rest(committed_app, runner):
    app = committed_app
    refuse_code(app, "EVIL")
    spool = Spool(app.config["SPOOL_DIR"])
    spool.append({**record(1), "code": "EVIL"})
    spool.append({**record(2), "code": "AB\x00CD"})
    spool.append(record(3))
    spool.close()
    assert drain(database(app), spool.directory).quarantined == 2
    env = cli_env(app)

    listed = runner.invoke(main, ["quarantine", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert record(1)["id"] in listed.output and "this code is refused" in listed.output
    assert "2 quarantined taps" in listed.output

    allow_codes_again(app)  # the cause is fixed
    replayed = runner.invoke(main, ["quarantine", "replay"], env=env)
    assert "stored 1 taps; 1 still in the quarantine" in replayed.output
    assert record(1)["id"] in stored_ids(app)
    [left] = quarantine.entries(spool.directory)
    assert left["tap"]["id"] == record(2)["id"] and "NUL" in left["reason"]
    with database(app).sessions() as session:
        assert session.scalar(select(func.count(Tap.id))) == 2
