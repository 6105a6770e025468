"""Service levels."""
