"""What can go wrong in the field, each with a message that says what to do next."""

from __future__ import annotations


class TagwriterError(Exception):
    """A problem the person at the reader can act on; str() says what to do next."""


class ReaderError(TagwriterError):
    """The NFC reader cannot be found or opened."""


class StickerGone(TagwriterError):
    """The sticker left the reader's field before the job was done."""


class StickerRefused(TagwriterError):
    """This sticker cannot take the URL (wrong chip, locked, not blank, too small...)."""


class VerifyError(StickerRefused):
    """The sticker does not read back what was written."""
