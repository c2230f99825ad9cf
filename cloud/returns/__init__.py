"""Returns and refunds: whole or partial, from the console or a kiosk in attendant mode."""
