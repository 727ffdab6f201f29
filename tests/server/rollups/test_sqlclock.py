"""The rebuild's SQL clock inlines a territory's time zone name in SQL: only IANA names pass."""

from __future__ import annotations

import pytest

from server.services.rollups.sqlclock import Clock


@pytest.mark.parametrize(
    "name", ["Europe/Paris\n", "Europe/Paris'; DROP TABLE taps; --", "Europe/Nowhere", "", "\x00"]
)
def test_a_zone_name_that_is_no_iana_zone_is_refused(name):
    with pytest.raises(ValueError):
        Clock("postgresql", name)


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_an_iana_zone_is_inlined_as_given(dialect):
    assert "'America/Argentina/Buenos_Aires'" in Clock(
        dialect, "America/Argentina/Buenos_Aires"
    ).day("occurred_at")
