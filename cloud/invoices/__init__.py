"""Invoices for sales: requested at the kiosk or later from the receipt QR, rendered as PDF."""
