"""Alerts: one open alert per (store, source, type), ThingsBoard-style ack/clear states."""
