"""Every API error has the same shape, whatever raised it (pinned, like datasette's)."""

from __future__ import annotations

import pytest

ERROR_KEYS = ["code", "field", "message", "status"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/v1/places/nowhere", {}, 404),
        ("get", "/api/v1/no-such-route", {}, 404),
        ("delete", "/api/v1/places", {}, 405),
        ("post", "/api/v1/batches", {}, 401),
        ("get", "/api/v1/nearby", {"query_string": {"lat": "north"}}, 422),
        (
            "post",
            "/api/v1/registrations",
            {"data": "{not json", "headers": {"Authorization": "Bearer x"}},
            401,
        ),
    ],
)
def test_the_error_shape_is_pinned(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert list(response.json) == ["error"]
    error = response.json["error"]
    assert sorted(error) == ERROR_KEYS
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 20  # says what to do


def test_a_body_that_is_not_json_is_explained(app, client):
    from tests.server.factories import token

    response = client.post(
        "/api/v1/registrations", data="{not json", headers={"Authorization": f"Bearer {token(app)}"}
    )
    assert response.status_code == 422
    assert "JSON object" in response.json["error"]["message"]


def test_an_unexpected_failure_keeps_the_shape(app, client, monkeypatch):
    from server.api import representations

    monkeypatch.setattr(representations, "territory_json", lambda row: 1 / 0)
    from server.db import database
    from server.models import Territory

    with database(app).transaction() as session:
        session.add(Territory(slug="x", name="X", latitude=0, longitude=0))
    response = client.get("/api/v1/territories")
    assert response.status_code == 500
    assert sorted(response.json["error"]) == ERROR_KEYS


def test_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/t/nowhere")
    assert response.status_code == 404 and response.content_type.startswith("text/html")
