"""HTML pages of the client archive, one module per group of entities."""
