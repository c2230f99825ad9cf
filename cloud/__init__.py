"""Cloud service: products, members, promotions, inventory, sales, alerts, ingest, console."""
