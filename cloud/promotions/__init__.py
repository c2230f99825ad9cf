"""Promotions: contracts.pricebook rule types with windows and targets, stored as JSON."""
