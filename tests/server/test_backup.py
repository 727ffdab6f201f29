"""The restore drill: load the demo, tap, back up while taps pour in and are drained, wipe,
restore into a fresh instance, and find every tap, listing, photo and offer, stickers that still
verify with the restored keyring, and rollups that equal their raw recount; on both databases."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server import create_app
from server.cli import main
from server.config import keyring, passwords
from server.db import database
from server.demo import load_demo
from server.migrate import upgrade
from server.models import Offer, Photo, Place, Shop, Sticker, StickerStatus, Tap
from server.services import rollups
from server.taps.recorder import recorder
from server.taps.spool import segments
from tags import codes
from tags.keyring import Keyring
from tests.server.factories import PHONE
from tests.support.demo import DEMO_LOADED
from tests.support.postgres import create_postgres_database, drop_postgres_database

BASE = "https://t.example.org"


def _env(folder: Path, url: str, keys: Path) -> dict[str, str]:
    """One instance's settings, as the command line and the server read them."""
    return {
        "TAPTRAIL_DATABASE_URL": url,
        "TAPTRAIL_SIGNING_KEYS_FILE": str(keys),
        "TAPTRAIL_SIGNING_KEYS": "",
        "TAPTRAIL_SECRET_KEY": "drill-secret",
        "TAPTRAIL_SPOOL_DIR": str(folder / "spool"),
        "TAPTRAIL_MEDIA_DIR": str(folder / "media"),
        "TAPTRAIL_CACHE_DIR": str(folder / "cache"),
        "TAPTRAIL_TAP_BASE_URL": BASE,
    }


def _app(env: dict[str, str]):
    settings = {name.removeprefix("TAPTRAIL_"): value for name, value in env.items()}
    return create_app({"TESTING": True, "DRAIN_THREAD": False, **settings})


def _run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _tap_ids(app) -> set[str]:
    """Every tap the instance holds: stored, or waiting in its spool."""
    with database(app).sessions() as session:
        stored = set(session.scalars(select(Tap.id)))
    for segment in segments(app.config["SPOOL_DIR"]):
        stored |= {json.loads(line)["id"] for line in segment.read_text().splitlines() if line}
    return stored


def _content(app) -> dict[str, list]:
    with database(app).sessions() as session:
        return {
            "places": sorted(session.scalars(select(Place.slug))),
            "shops": sorted(session.scalars(select(Shop.slug))),
            "offers": sorted(session.scalars(select(Offer.slug))),
            "photos": sorted(session.scalars(select(Photo.name))),
            "stickers": sorted(session.execute(select(Sticker.id, Sticker.code)).all()),
        }


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def urls(request, tmp_path):
    """The old instance's database URL, the fresh one's (empty), and how to lose the old."""
    if request.param == "sqlite":
        old = tmp_path / "old" / "taptrail.db"
        yield f"sqlite:///{old}", f"sqlite:///{tmp_path / 'new.db'}", lambda: None
        return
    postgres = request.getfixturevalue("postgres")
    made = [create_postgres_database(postgres), create_postgres_database(postgres)]
    yield made[0], made[1], lambda: drop_postgres_database(postgres, made[0])
    for url in made:
        drop_postgres_database(postgres, url)


def test_a_backup_taken_while_serving_restores_into_a_fresh_instance(tmp_path, urls):
    old_url, new_url, lose_old_database = urls
    old_folder, new_folder = tmp_path / "old", tmp_path / "new"
    old_folder.mkdir()
    ring = Keyring.create().rotate()
    ring.save(old_folder / "keys.json")
    old_env = _env(old_folder, old_url, old_folder / "keys.json")
    old = _app(old_env)
    upgrade(database(old).engine)
    with database(old).transaction() as session:
        load_demo(session, ring, BASE, DEMO_LOADED, passwords=passwords(old))
        for sticker in session.scalars(select(Sticker)):
            sticker.status = StickerStatus.INSTALLED
        shop = session.scalars(select(Shop).order_by(Shop.id)).first()
        session.add(Photo(name="b" * 32 + ".jpg", shop_id=shop.id, width=4, height=3, size=9))
    media = old_folder / "media"
    media.mkdir()
    (media / ("b" * 32 + ".jpg")).write_bytes(b"not a jpeg")
    (media / ("b" * 32 + ".jpg")).chmod(0o640)
    content = _content(old)
    paths = [f"/{code}" for _, code in content["stickers"]]
    phone = old.test_client()
    for path in paths:
        assert phone.get(path, headers={"User-Agent": PHONE}).status_code == 303
    recorder(old).drain_now()  # these are stored...
    for path in paths[:3]:
        phone.get(path, headers={"User-Agent": PHONE})  # ...and these wait in the spool
    before = _tap_ids(old)
    assert len(before) == len(paths) + 3
    refused = '{"key": "x", "reason": "a NUL", "record": {}}\n'
    (old_folder / "spool" / "quarantine.jsonl").write_text(refused)  # kept to replay later

    # Serving goes on during the backup: taps are answered and wait in the spool (the drainer
    # lets a rush pass), so some taps are only there, and some are written during the copy.
    serving, answers = threading.Event(), []

    def serve() -> None:
        client = old.test_client()
        while not serving.is_set():
            answers.append(client.get(paths[0], headers={"User-Agent": PHONE}).status_code)

    server = threading.Thread(target=serve)
    server.start()
    try:
        said = _run(old_env, "backup", str(tmp_path / "backup"))
    finally:
        serving.set()
        server.join()
    assert "backed up" in said and answers and set(answers) == {303}
    _run(old_env, "keys", "backup", str(tmp_path / "keyring-copy.json"))
    after = _tap_ids(old)
    recorder(old).stop()
    database(old).dispose()

    # Everything is lost: the database, the photos, the spool, the keyring.
    shutil.rmtree(old_folder)
    lose_old_database()

    new_folder.mkdir()
    new_env = _env(new_folder, new_url, new_folder / "keys.json")
    _run(new_env, "keys", "restore", str(tmp_path / "keyring-copy.json"))
    assert (new_folder / "keys.json").stat().st_mode & 0o777 == 0o600
    assert "restored" in _run(new_env, "restore", str(tmp_path / "backup"))
    new = _app(new_env)
    try:
        recorder(new).drain_now()
        restored = _tap_ids(new)
        assert before <= restored <= after  # every tap before the backup; none made up
        assert _content(new) == content
        assert (new_folder / "spool" / "quarantine.jsonl").read_text() == refused
        photo = new_folder / "media" / ("b" * 32 + ".jpg")
        assert photo.read_bytes() == b"not a jpeg" and photo.stat().st_mode & 0o777 == 0o640
        ring_back = keyring(new)
        assert all(codes.verify(ring_back, code) == tag for tag, code in content["stickers"])
        assert new.test_client().get(paths[1], headers={"User-Agent": PHONE}).status_code == 303
        now = dt.datetime.now(dt.UTC)
        rollups.refresh(database(new), now=now)
        assert rollups.check(database(new), now=now).differences == []
        with database(new).sessions() as session:
            assert session.scalars(select(Tap.id)).all()  # the recount above was of real taps
    finally:
        recorder(new).stop()
        database(new).dispose()


def test_a_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(tmp_path):
    ring = Keyring.create()
    ring.save(tmp_path / "keys.json")
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "keys.json")
    _run(env, "init-db")
    _run(env, "backup", str(tmp_path / "backup"))
    refused = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")], env=env)
    assert refused.exit_code == 1 and "the database is not empty" in refused.output
    (tmp_path / "backup" / "database.sqlite").write_bytes(b"damaged")
    fresh = _env(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "keys.json")
    damaged = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")], env=fresh)
    assert damaged.exit_code == 1 and "database.sqlite" in damaged.output
    assert "damaged" in damaged.output
    again = CliRunner().invoke(main, ["backup", str(tmp_path / "backup")], env=env)
    assert again.exit_code == 1 and "not empty" in again.output


def test_a_keyring_restore_never_overwrites_unless_told(tmp_path):
    first, second = Keyring.create(), Keyring.create()
    first.save(tmp_path / "keys.json")
    second.save(tmp_path / "other.json")
    env = {"TAPTRAIL_SIGNING_KEYS_FILE": str(tmp_path / "keys.json"), "TAPTRAIL_SIGNING_KEYS": ""}
    refused = CliRunner().invoke(main, ["keys", "restore", str(tmp_path / "other.json")], env=env)
    assert refused.exit_code == 1 and "--replace" in refused.output
    assert Keyring.load(tmp_path / "keys.json").to_json() == first.to_json()
    _run(env, "keys", "restore", "--replace", str(tmp_path / "other.json"))
    assert Keyring.load(tmp_path / "keys.json").to_json() == second.to_json()


def test_a_backup_holds_the_photos_not_their_sizes_and_a_restore_takes_only_listed_files(tmp_path):
    ring = Keyring.create()
    ring.save(tmp_path / "keys.json")
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "keys.json")
    _run(env, "init-db")
    photo = "b" * 32 + ".jpg"
    (tmp_path / "media" / "sizes").mkdir(parents=True)
    (tmp_path / "media" / photo).write_bytes(b"a photo")
    (tmp_path / "media" / "sizes" / ("b" * 28 + "-360.webp")).write_bytes(b"drawn again")
    (tmp_path / "media" / ".upload-x1y2").write_bytes(b"half an upload")
    _run(env, "backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert [name for name in manifest["files"] if name.startswith("media/")] == [f"media/{photo}"]
    (tmp_path / "backup" / "media" / ("c" * 32 + ".jpg")).write_bytes(b"slipped in")
    fresh = _env(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "keys.json")
    refused = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")], env=fresh)
    assert refused.exit_code == 1 and "not in its manifest.json" in refused.output
    (tmp_path / "backup" / "manifest.json").write_text("{half")
    damaged = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")], env=fresh)
    assert damaged.exit_code == 1 and "manifest.json" in damaged.output
    assert "damaged" in damaged.output
