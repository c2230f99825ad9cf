"""Catalog: categories, products, barcodes, tax classes; changes republish the price book."""
