"""Self-checkout kiosk node: scanning, cart, pricing, bagging check, payment, receipt, UI."""
