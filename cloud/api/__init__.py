"""The HTTP API: one router module per domain (shells: they call services only)."""
