"""Outlets (网点): data, opening hours, nearby search, detail, bulk import."""
