"""Stores: address, contact, hours, timezone, payment methods, price book version."""
