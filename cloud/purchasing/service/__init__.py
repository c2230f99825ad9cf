"""Purchasing services: orders (lifecycle), receiving, the approval limit, payables."""
