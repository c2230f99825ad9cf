"""Sales recorded from kiosk events: header, lines, discounts, tenders; voids; Z reports."""
