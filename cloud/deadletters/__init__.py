"""Dead letters API; the table and replay logic live in cloud.ingest."""
