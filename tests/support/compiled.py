"""Forget, after each test, the statements the ORM compiled for that test's database.

Each mapper keeps up to 150 INSERT/UPDATE/DELETE statements it compiled, keyed by the engine's
dialect. An app makes one engine for its life; the tests make one per test, so these caches
never serve a later test, yet keep every earlier test's compilations (and dialects) alive:
hundreds of thousands of objects that each full garbage collection walks again. A test
process spent about a quarter of its CPU time in the garbage collector because of them.
"""

from __future__ import annotations

import sys


def forget_orm_compilations() -> None:
    """Empty the mappers' caches of compiled statements, if the models are loaded."""
    base = sys.modules.get("server.models.base")
    if base is None:
        return
    for mapper in base.Base.registry.mappers:
        mapper._compiled_cache.clear()
