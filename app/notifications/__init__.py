"""WeChat subscribe messages sent from a database outbox by a background worker (RQ on Redis)."""
