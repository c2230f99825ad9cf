"""The real node code on fake hardware: one store or a fleet, with fault scenarios."""
