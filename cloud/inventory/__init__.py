"""Inventory ledger per store (on-hand is its projection) and shelf lane state."""
