from pathlib import Path

import pytest
from flask import Flask, redirect, request, send_file
from werkzeug.test import EnvironBuilder

from tests.conftest import HEAVY_FIRST
from tests.support.languages import LanguageFollowingClient
from tests.support.live_server import closed_before_sent
from tests.support.once import drop_made_once_postgres, made_once, made_once_postgres, run_folder
from tests.support.postgres import admin_connection, missing_postgres_is_fatal, postgres_problem


def test_missing_postgres_is_fatal_only_in_ci():
    assert missing_postgres_is_fatal({"CI": "1"})
    assert not missing_postgres_is_fatal({})


def test_unreachable_postgres_is_explained_in_one_line():
    problem = postgres_problem("postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert problem is not None
    assert "127.0.0.1:9 does not answer" in problem
    assert "\n" not in problem


def test_the_test_postgres_answers(postgres):
    assert postgres_problem(postgres) is None


def _redirecting_app() -> Flask:
    app = Flask(__name__)
    app.test_client_class = LanguageFollowingClient
    app.add_url_rule("/fr/p/<slug>", "page", lambda slug: f"{slug}?{request.query_string.decode()}")
    targets = {
        "kept": lambda: "/fr/p/kept?" + request.query_string.decode(),
        "dropped": lambda: "/fr/p/dropped",  # a redirect that loses the query
        "away": lambda: "https://elsewhere.example/fr/p/away",
        "other": lambda: "/fr/p/else",
    }
    app.add_url_rule("/p/<slug>", "old", lambda slug: redirect(targets[slug](), code=302))
    return app


def test_the_test_client_follows_only_the_language_redirect_and_as_a_browser_would():
    client = _redirecting_app().test_client()
    assert client.get("/p/kept", query_string={"a": "1"}).text == "kept?a=1"
    assert client.get("/p/dropped", query_string={"a": "1"}).text == "dropped?"
    assert client.get("/p/away").status_code == 302  # another site: the test sees it
    assert client.get("/p/other").status_code == 302  # another page: the test sees it
    assert client.get("/p/kept", language_redirect=True).status_code == 302


def test_each_module_scheduled_first_exists():
    root = Path(__file__).resolve().parents[1]
    assert [path for path in HEAVY_FIRST if not (root / path).is_file()] == []


def test_what_a_run_makes_once_is_made_once_and_never_half(tmp_path_factory):
    made = []

    def make(folder: Path) -> None:
        made.append(folder)
        (folder / "thing").write_text("made")

    def fail(folder: Path) -> None:
        (folder / "half").write_text("half")
        raise RuntimeError("the worker died halfway")

    first = made_once(tmp_path_factory, "thing", make)
    again = made_once(tmp_path_factory, "thing", make)
    assert first == again and (first / "thing").read_text() == "made" and len(made) == 1
    with pytest.raises(RuntimeError):
        made_once(tmp_path_factory, "broken", fail)
    assert not (run_folder(tmp_path_factory) / "broken").exists()  # the next asker makes it
    assert (made_once(tmp_path_factory, "broken", make) / "thing").exists()


def test_the_suite_s_pytest_runs_share_the_folder_it_names(tmp_path_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("TAPTRAIL_TEST_RUN_FOLDER", str(tmp_path))
    assert run_folder(tmp_path_factory) == tmp_path
    made = made_once(tmp_path_factory, "shared", lambda folder: (folder / "demo").write_text("1"))
    assert made == tmp_path / "shared" and (made / "demo").read_text() == "1"
    monkeypatch.delenv("TAPTRAIL_TEST_RUN_FOLDER")
    assert run_folder(tmp_path_factory) != tmp_path  # without it, the run's own folder


def test_the_live_server_closes_a_file_response_before_sending_it(tmp_path):
    photo = tmp_path / "photo.webp"
    photo.write_bytes(b"RIFF....WEBP")
    app = Flask(__name__)
    opened = []

    @app.get("/photo")
    def sent():  # type: ignore[no-untyped-def]
        response = send_file(photo)
        opened.append(response.response)  # the file wrapper werkzeug would have to close
        return response

    environ = EnvironBuilder(path="/photo").get_environ()
    body = closed_before_sent(app)(environ, lambda status, headers, exc_info=None: None)
    assert list(body) == [b"RIFF....WEBP"]
    assert opened[0].file.closed  # closed here, whatever happens to the connection afterwards


@pytest.mark.postgres
def test_a_postgres_database_made_once_is_filled_once_and_dropped_by_its_run(
    postgres, tmp_path_factory
):
    owner = 0  # no pytest run has process id 0: the run's own made-once databases stay
    filled = []

    def fill(url: str, folder: Path) -> None:
        filled.append(url)
        (folder / "media").mkdir()

    first = made_once_postgres(tmp_path_factory, postgres, "made-once-test", fill, owner=owner)
    again = made_once_postgres(tmp_path_factory, postgres, "made-once-test", fill, owner=owner)
    assert first == again and len(filled) == 1 and (first[1] / "media").is_dir()
    assert first[0].startswith("taptrail_once_0_")

    def exists() -> bool:
        with admin_connection(postgres) as admin:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (first[0],))
            return found.fetchone() is not None

    assert exists()
    drop_made_once_postgres(postgres, owner=owner)
    assert not exists()
