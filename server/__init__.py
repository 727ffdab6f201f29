"""The TapTrail server: taps, visitor pages, the API, the portal and analytics."""
