"""MQTT ingest: validate, apply each event exactly once, dead-letter the rest."""
