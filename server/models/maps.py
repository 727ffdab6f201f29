"""The street map of a territory, imported from an OpenStreetMap extract."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import Timestamp, intpk


class StreetMap(Base):
    """What a territory's maps draw and its walks are routed over, as one compressed document.

    One row per territory, replaced whole at each import: the maps only ever read a territory's
    map at once, so rows per street would only add joins. `data` is gzip-compressed JSON (see
    server.importers.osm.Extract); the counts say what it holds without opening it.
    """

    __tablename__ = "street_maps"

    id: Mapped[intpk]
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), unique=True)
    source: Mapped[str] = mapped_column(String(200))  # the extract's file name
    imported_at: Mapped[Timestamp]
    lines: Mapped[int]
    areas: Mapped[int]
    graph_nodes: Mapped[int]
    graph_edges: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
