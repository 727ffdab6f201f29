"""The data model, one module per area; importing this package registers every table."""

from server.models.accounts import (
    AuditEntry,
    Invitation,
    LoginFailure,
    PortalSession,
    Role,
    ShopOwner,
    User,
)
from server.models.agenda import Event, EventSeries, Walk, WalkStop
from server.models.analytics import (
    FIRST_VISIT,
    Audience,
    DailyVisitors,
    DirtyDay,
    Flow,
    FlowMonth,
    JourneyDay,
    JourneyShop,
    OfferDay,
    PlaceHour,
    ShopDay,
    ShopOrigin,
    StickerDay,
    TerritoryHour,
    VisitorDay,
    VisitorReturn,
)
from server.models.base import Base
from server.models.content import ContentVersion
from server.models.edits import stamp_edits
from server.models.listings import PointOfInterest, Shop, TransitFeed, TransitStop
from server.models.loyalty import (
    LoyaltyCard,
    LoyaltyHolding,
    LoyaltyStamp,
    LoyaltyWallet,
    StampKind,
)
from server.models.maps import StreetMap
from server.models.offers import (
    Offer,
    OfferCondition,
    OfferDayCodes,
    OfferKind,
    Passport,
    RedemptionCode,
)
from server.models.places import Place, PlaceKind, Territory
from server.models.portal import ChangeStatus, OfferView, PendingChange, Photo
from server.models.signups import SignupRequest, SignupStatus
from server.models.stickers import Batch, Counter, Sticker, StickerStatus
from server.models.taps import Outcome, Tap, VisitorKind
from server.models.timetable import (
    TransitRoute,
    TransitService,
    TransitServiceDate,
    TransitStopTime,
    TransitTrip,
)
from server.models.tokens import ApiToken

__all__ = [
    "FIRST_VISIT",
    "ApiToken",
    "Audience",
    "AuditEntry",
    "Base",
    "Batch",
    "ChangeStatus",
    "ContentVersion",
    "Counter",
    "DailyVisitors",
    "DirtyDay",
    "Event",
    "EventSeries",
    "Flow",
    "FlowMonth",
    "Invitation",
    "JourneyDay",
    "JourneyShop",
    "LoginFailure",
    "LoyaltyCard",
    "LoyaltyHolding",
    "LoyaltyStamp",
    "LoyaltyWallet",
    "Offer",
    "OfferCondition",
    "OfferDay",
    "OfferDayCodes",
    "OfferKind",
    "OfferView",
    "Outcome",
    "Passport",
    "PendingChange",
    "Photo",
    "Place",
    "PlaceHour",
    "PlaceKind",
    "PointOfInterest",
    "PortalSession",
    "RedemptionCode",
    "Role",
    "Shop",
    "ShopDay",
    "ShopOrigin",
    "ShopOwner",
    "SignupRequest",
    "SignupStatus",
    "StampKind",
    "Sticker",
    "StickerDay",
    "StickerStatus",
    "StreetMap",
    "Tap",
    "Territory",
    "TerritoryHour",
    "TransitFeed",
    "TransitRoute",
    "TransitService",
    "TransitServiceDate",
    "TransitStop",
    "TransitStopTime",
    "TransitTrip",
    "User",
    "VisitorDay",
    "VisitorKind",
    "VisitorReturn",
    "Walk",
    "WalkStop",
    "stamp_edits",
]
