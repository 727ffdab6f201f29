"""Tell people from machines: HEAD requests, prefetches, link previews and crawlers are flagged.

Link previews get a page with Open Graph tags instead of a redirect. In-app browsers (Instagram,
Facebook, LinkedIn, Snapchat, WhatsApp on Android...) are people: their user agents carry an app
token after a full browser user agent, which over-broad rules mistake for a bot.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crawlerdetect import CrawlerDetect
from ua_parser import parse_user_agent
from werkzeug.datastructures import Headers

# (pattern, service). Checked in order; the first match names the preview.
LINK_PREVIEWS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        # iMessage and Apple's link presentation announce themselves as both of these at once.
        (r"facebookexternalhit/\S+ Facebot Twitterbot/", "iMessage"),
        (r"^WhatsApp/", "WhatsApp"),
        (r"facebookexternalhit|Facebot|meta-externalagent", "Facebook"),
        (r"Twitterbot", "X/Twitter"),
        (r"Slackbot|Slack-ImgProxy", "Slack"),
        (r"TelegramBot", "Telegram"),
        (r"Discordbot", "Discord"),
        (r"LinkedInBot", "LinkedIn"),
        (r"SkypeUriPreview", "Skype/Teams"),
        (r"Microsoft Teams|MicrosoftPreview", "Microsoft Teams"),
        (r"^Viber", "Viber"),
        (r"Snap URL Preview", "Snapchat"),
        (r"Pinterestbot|Pinterest/0\.", "Pinterest"),
        (r"redditbot", "Reddit"),
        (r"Mastodon/", "Mastodon"),
        (r"Embedly|Iframely|vkShare|Google-PageRenderer", "link preview"),
    )
)

# App tokens that follow a real browser user agent inside in-app browsers: a person.
IN_APP_BROWSERS = re.compile(
    r"Instagram|FBAN|FBAV|LinkedInApp|Snapchat|Line/|Twitter for|WhatsApp/|Telegram-Android"
)
FULL_BROWSER = re.compile(r"^Mozilla/5\.0 \((iPhone|iPad|Linux; Android|Windows|Macintosh)")

_crawlers = CrawlerDetect()


@dataclass(frozen=True)
class Classification:
    """Human or not, why not, and the browser family for statistics."""

    human: bool
    reason: str | None = None  # "head", "prefetch", "link preview: Slack", "crawler: Googlebot"
    preview: str | None = None  # the link-preview service, when it is one
    browser: str | None = None


# Headers that announce a speculative load (prefetch, prerender, preview), not someone tapping.
PURPOSE_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
# The same headers as WSGI environ keys ("Sec-Purpose" arrives as HTTP_SEC_PURPOSE).
PURPOSE_ENVIRON_KEYS = tuple(f"HTTP_{name.upper().replace('-', '_')}" for name in PURPOSE_HEADERS)
SPECULATIVE_WORDS = ("prefetch", "preview", "prerender")


def classify(method: str, headers: Mapping[str, str] | Headers) -> Classification:
    """Classify a request on a tap URL from its method and headers."""
    purposes = [headers.get(name, "") for name in PURPOSE_HEADERS]
    return classify_parts(method, headers.get("User-Agent", ""), purposes)


def classify_environ(environ: Mapping[str, Any]) -> Classification:
    """classify() straight from a WSGI environ: the tap path skips werkzeug's header lookups."""
    purposes = [environ[key] for key in PURPOSE_ENVIRON_KEYS if key in environ]
    return classify_parts(environ["REQUEST_METHOD"], environ.get("HTTP_USER_AGENT", ""), purposes)


def classify_parts(method: str, agent: str, purposes: Iterable[str]) -> Classification:
    """Classify from the method, the user agent and the values of the purpose headers."""
    by_agent = classify_agent(agent)
    if by_agent.preview:
        return by_agent  # a preview gets its Open Graph page whatever the method
    if method == "HEAD":
        return Classification(False, "head", browser=by_agent.browser)
    if is_speculative(purposes):
        return Classification(False, "prefetch", browser=by_agent.browser)
    return by_agent


def is_speculative(purposes: Iterable[str]) -> bool:
    """A purpose header says prefetch, prerender or preview: a speculative load."""
    for value in purposes:
        lowered = value.lower()
        if any(word in lowered for word in SPECULATIVE_WORDS):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def classify_agent(agent: str) -> Classification:
    """Classify a user agent alone; cached, since a few agents make most of the traffic."""
    browser = _browser(agent)
    if not agent.strip():
        return Classification(False, "no user agent")
    for pattern, service in LINK_PREVIEWS:
        if pattern.search(agent):
            return Classification(False, f"link preview: {service}", service, browser)
    if FULL_BROWSER.match(agent) and IN_APP_BROWSERS.search(agent):
        return Classification(True, browser=browser)
    if _crawlers.isCrawler(agent):
        name = _crawlers.getMatches() or "unknown"
        return Classification(False, f"crawler: {name}"[:80], browser=browser)
    return Classification(True, browser=browser)


def _browser(agent: str) -> str | None:
    result = parse_user_agent(agent) if agent else None
    if result is None or result.family == "Other":
        return None
    return result.family[:60]
