"""NTAG 424 DNA in AES mode: SUN verification, key diversification and EV2 secure messaging.

Pure functions with no web, database or reader in them, checked against NXP's worked examples:
AN12196 ("NTAG 424 DNA and NTAG 424 DNA TagTamper features and hints") for SUN messages and
secure messaging, AN10922 ("Symmetric key diversifications") for per-sticker keys, and the
NT4H2421Gx datasheet for command layouts.

LRP mode (NXP AN12304, the Leakage Resilient Primitive a chip switches to for good with
SetConfiguration) is not supported: a chip in LRP mode refuses AES authentication
(PERMISSION_DENIED) and its SUN messages carry 24-byte PICC data, both refused saying "LRP mode"
(docs/codes-and-keys.md says why).
"""
