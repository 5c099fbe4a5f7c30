"""Open311 GeoReport v2 over the residents' needs, so existing civic tools can read and file them."""
