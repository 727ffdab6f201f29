"""The data model, one module per area; importing this package registers every table."""

from server.models.agenda import Event, Walk, WalkStop
from server.models.base import Base
from server.models.listings import PointOfInterest, Shop, TransitStop
from server.models.offers import Offer, OfferKind, RedemptionCode
from server.models.places import Place, PlaceKind, Territory
from server.models.stickers import Batch, Counter, Sticker, StickerStatus
from server.models.taps import Outcome, Tap, VisitorKind
from server.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Base",
    "Batch",
    "Counter",
    "Event",
    "Offer",
    "OfferKind",
    "Outcome",
    "Place",
    "PlaceKind",
    "PointOfInterest",
    "RedemptionCode",
    "Shop",
    "Sticker",
    "StickerStatus",
    "Tap",
    "Territory",
    "TransitStop",
    "VisitorKind",
    "Walk",
    "WalkStop",
]
