"""One module per resource; each handler is a short function."""
