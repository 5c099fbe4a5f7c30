"""Business-type taxonomy, repair service items and per-city standards profiles (data files)."""
