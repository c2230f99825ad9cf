"""Alembic migrations of the cloud database (``smartstore cloud migrate``)."""
