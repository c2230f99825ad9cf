"""Builds each store's contracts.pricebook.PriceBook from the catalog and publishes it."""
