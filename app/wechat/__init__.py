"""One client for the WeChat server API (code2Session, stable_token, …)."""
