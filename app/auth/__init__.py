"""Users, roles, staff scope, JWT, WeChat login and staff password login."""
