"""Demand forecast per product and store, backtests, and reorder suggestions."""
