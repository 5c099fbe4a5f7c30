"""The staff and bureau web console: its sign-in over cookies, its settings, and its built files at /console/."""
