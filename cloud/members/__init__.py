"""Members: profile, phone/card, tier by spend, points ledger, coupons (feedback: its own)."""
