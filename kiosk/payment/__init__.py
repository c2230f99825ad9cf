"""Payment devices: terminal Protocol (card, mobile), cash acceptor, payment-code rules."""
