"""The portal's names for what it stores as codes: sticker states, key states, kinds of change,
audit actions, the fields of a listing or an offer. Shown in the reader's language; a code with
no name here is shown as written."""

from __future__ import annotations

from server.errors import N_
from server.i18n import gettext

STICKER_STATES = {
    "planned": N_("planned"),
    "encoded": N_("encoded"),
    "installed": N_("installed"),
    "retired": N_("retired"),
}
KEY_STATES = {"active": N_("active"), "verify": N_("verify only"), "revoked": N_("revoked")}
CHANGE_KINDS = {"listing": N_("Listing"), "offer": N_("Offer"), "photo": N_("Photo")}
CHANGE_STATES = {"pending": N_("waiting"), "approved": N_("approved"), "rejected": N_("refused")}
TARGETS = {
    "shop": N_("shop"),
    "offer": N_("offer"),
    "photo": N_("photo"),
    "place": N_("place"),
    "sticker": N_("sticker"),
    "batch": N_("batch"),
    "user": N_("account"),
    "token": N_("token"),
    "territory": N_("territory"),
    "keyring": N_("keyring"),
    "code": N_("code"),
    "signup": N_("sign-up request"),
    "sight": N_("sight"),
    "walk": N_("walk"),
    "event": N_("event"),
}
ACTIONS = {
    "account.create": N_("Account created"),
    "account.invite": N_("Invitation link made"),
    "account.password": N_("Password changed"),
    "account.reset": N_("Link to a new password asked for"),
    "account.sessions": N_("Signed out everywhere"),
    "account.update": N_("Account changed"),
    "batch.issue": N_("Batch issued"),
    "code.redeem": N_("Code used at the till"),
    "hours.update": N_("Opening hours changed"),
    "keys.create": N_("Keyring created"),
    "keys.revoke": N_("Key revoked"),
    "keys.rotate": N_("Key rotated"),
    "listing.update": N_("Listing changed"),
    "listing.propose": N_("Listing change sent for review"),
    "listing.approve": N_("Listing change approved"),
    "listing.reject": N_("Listing change refused"),
    "offer.agree": N_("Partner offer agreed"),
    "offer.create": N_("Offer created"),
    "offer.end": N_("Offer ended"),
    "offer.update": N_("Offer changed"),
    "offer.withdraw": N_("Partner agreement withdrawn"),
    "offer.refuse": N_("Partner offer refused"),
    "offer.propose": N_("Offer change sent for review"),
    "offer.approve": N_("Offer change approved"),
    "offer.reject": N_("Offer change refused"),
    "photo.add": N_("Photo added"),
    "photo.delete": N_("Photo deleted"),
    "photo.propose": N_("Photo sent for review"),
    "photo.approve": N_("Photo approved"),
    "photo.reject": N_("Photo refused"),
    "place.save": N_("Place saved"),
    "shop.create": N_("Shop created"),
    "sight.save": N_("Sight saved"),
    "walk.save": N_("Walk saved"),
    "event.save": N_("Event saved"),
    "event.delete": N_("Event removed"),
    "events.import": N_("Calendar imported"),
    "signup.request": N_("Sign-up asked for"),
    "signup.approve": N_("Sign-up approved"),
    "signup.refuse": N_("Sign-up refused"),
    "shop.owner": N_("Shop handed over"),
    "sticker.install": N_("Sticker installed"),
    "sticker.retire": N_("Sticker retired"),
    "territory.review": N_("Review setting changed"),
    "territory.save": N_("Territory changed"),
    "territory.brand": N_("Territory's brand changed"),
    "token.create": N_("API token made"),
    "token.revoke": N_("API token revoked"),
}
FIELDS = {
    "name": N_("Name"),
    "category": N_("Category"),
    "description": N_("Description"),
    "address": N_("Address"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "phone": N_("Phone"),
    "website": N_("Website"),
    "opening_hours": N_("Opening hours"),
    "kind": N_("Kind"),
    "title": N_("Title"),
    "conditions": N_("Conditions"),
    "valid_from": N_("First day"),
    "valid_until": N_("Last day"),
    "hours": N_("When it applies"),
    "quota": N_("Codes at most"),
    "partner_shop_id": N_("Partner shop"),
    "trigger_place_id": N_("For visitors from"),
    "partner_agreed_at": N_("Partner's agreement"),
    "partner_refused_at": N_("Partner's refusal"),
    "role": N_("Role"),
    "active": N_("Active"),
    "shops": N_("Shops"),
    "review_changes": N_("Review changes"),
    "live": N_("Online"),
    "slug": N_("Address on the site"),
    "location": N_("Where it hangs"),
    "status": N_("State"),
    "radius_m": N_("How far its page looks (metres)"),
    "scopes": N_("Scopes"),
    "reason": N_("Reason"),
    "timezone": N_("Time zone"),
    "published": N_("Shown to visitors"),
    "venue": N_("Venue"),
    "url": N_("Web page"),
    "first_day": N_("Day"),
    "starts": N_("Starts at"),
    "ends": N_("Ends at"),
    "frequency": N_("Repeats"),
    "until": N_("Until"),
    "count": N_("Times"),
    "exceptions": N_("Except on"),
    "stops": N_("Stops"),
    "new": N_("New dates"),
    "updated": N_("Changed dates"),
    "removed": N_("Removed dates"),
    "skipped": N_("Events left out"),
    # A territory's own brand, one line per value (server/services/territory_editing.py).
    "brand_service_name": N_("Service name"),
    "brand_operator_name": N_("Operator"),
    "brand_logo": N_("Logo"),
    "brand_primary_color": N_("Main colour"),
    "brand_accent_color": N_("Accent colour"),
    "brand_contact_url": N_("Contact"),
    "brand_legal_url": N_("Legal notice"),
}
SIGNUP_STATES = {"pending": N_("waiting"), "approved": N_("approved"), "refused": N_("refused")}
HEALTH_PROBLEMS = {
    "silent": N_("no tap by a person for 14 days"),
    "copied": N_("a copy was read"),
    "replayed": N_("a URL replayed or without a valid SUN message"),
    "not installed": N_("encoded, never installed"),
}
LANGUAGE_NAMES = {"fr": N_("French"), "en": N_("English"), "nl": N_("Dutch")}


def _named(names: dict[str, str], code: object) -> str:
    value = getattr(code, "value", code)
    known = names.get(str(value))
    return gettext(known) if known else str(value)


def sticker_state(code: object) -> str:
    """A sticker's state, as the reader calls it."""
    return _named(STICKER_STATES, code)


def key_state(code: object) -> str:
    """A signing key's state, as the reader calls it."""
    return _named(KEY_STATES, code)


def change_kind(code: object) -> str:
    """What a change under review is about: listing, offer, photo."""
    return _named(CHANGE_KINDS, code)


def change_state(code: object) -> str:
    """Where a change under review stands."""
    return _named(CHANGE_STATES, code)


def target(code: object) -> str:
    """What an audit entry is about (shop, sticker...)."""
    return _named(TARGETS, code)


def action(code: object) -> str:
    """An audit entry's action, as a sentence."""
    return _named(ACTIONS, code)


def field(code: object) -> str:
    """A stored field, by the label its form gives it."""
    return _named(FIELDS, code)


def language_name(code: str) -> str:
    """A language of the content, in the reader's language."""
    return _named(LANGUAGE_NAMES, code)


def health_problem(code: object) -> str:
    """What is wrong with a sticker on the health page."""
    return _named(HEALTH_PROBLEMS, code)


def signup_state(code: object) -> str:
    """Where a sign-up request stands."""
    return _named(SIGNUP_STATES, code)
