"""Personalising NTAG 424 DNA stickers through nfcpy: keys, SUN URL, file settings, verified.

`card` speaks to one activated chip (ISO and native APDUs, the EV2 session); `personalise`
brings a factory-fresh or half-personalised sticker to its URL and per-sticker keys and checks
two SUN messages offline. The command-line wiring and the batch journal come separately.
"""
