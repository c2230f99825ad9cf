"""Runtime shared by every node: config, durable outbox, MQTT link, services. No business logic."""
