"""Audit log: who did what to which entity, and when; written for every API write."""
