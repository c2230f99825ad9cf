"""Bundled scenario files (day, outage, faults, demo)."""
