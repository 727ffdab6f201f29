"""The OpenAPI 3.1 document, kept next to the code it describes and checked by the tests."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from flask import Response, jsonify

from server.api.blueprint import bp


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document as a dictionary."""
    text = resources.files("server.api").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the document."""
    return jsonify(document())
