"""The field tool: write, verify and register TapTrail stickers through nfcpy."""
