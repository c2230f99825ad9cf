"""The cloud REST API as the kiosk uses it: member balances and coupon checks."""
