"""Demo data for ``smartstore cloud seed``: deterministic and idempotent."""
