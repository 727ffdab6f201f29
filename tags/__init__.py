"""TapTrail's shared domain: short codes, tap URLs, NDEF layout and NTAG21x chip facts.

Nothing here knows about the web or a database; the server and the field tool both build on it.
"""
