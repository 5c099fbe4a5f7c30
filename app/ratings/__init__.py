"""Ratings of outlets (stars, text, photos, tags), merchant replies, reports, staff moderation, credit level."""
