"""Visitor-page fixtures: the app with the demo loaded, looked at on a Saturday afternoon."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.demo import SATURDAY, next_local


@pytest.fixture
def demo_app(demo_loaded_app: Flask) -> Flask:
    """The app with the demo, its clock pinned to next Saturday at 15:00 in Paris."""
    demo_loaded_app.config["FIXED_NOW"] = next_local(SATURDAY, 15)
    return demo_loaded_app


@pytest.fixture
def visitor(demo_app: Flask) -> FlaskClient:
    """A visitor's browser: it keeps cookies between requests."""
    return demo_app.test_client()
