"""One module per tagwriter command."""
