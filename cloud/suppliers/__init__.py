"""Suppliers: who the chain buys from, and what each supplies at what cost and pack size."""
