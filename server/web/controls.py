"""Control characters in request text: what no path, query value, form field or JSON string of
TapTrail may hold. A leaf module (no Flask), so that the API's readers use the same rule."""

from __future__ import annotations

import re

# PATH_INFO is already percent-decoded: any C0 control character, or DEL.
IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
# QUERY_STRING is still percent-encoded: the same characters, raw or encoded.
IN_QUERY = re.compile(r"[\x00-\x1f\x7f]|%(?:[01][0-9A-Fa-f]|7[Ff])")
# Text that may hold tabs and line breaks (form fields, JSON strings), but nothing else.
IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def unwelcome(text: str) -> bool:
    """Does this text hold a control character that no form field or JSON string may hold?"""
    return IN_TEXT.search(text) is not None
