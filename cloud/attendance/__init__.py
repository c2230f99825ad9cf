"""Staff attendance (SPEC §4 Staff): clock-in and clock-out per store, listed by local day."""
