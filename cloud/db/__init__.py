"""Database base, engine and sessions."""
