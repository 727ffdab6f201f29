"""A body larger than the service takes is refused from its Content-Length, before it is read
(the portal takes photos up to its own, larger limit: tests/server/portal)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])  # the edge, not storage
TOO_LARGE = b"x" * (3 * 1024 * 1024)


def test_a_huge_visitor_form_is_refused(client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/offer/nothing-here/code",
        data=b"passport=" + TOO_LARGE,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
