"""Notices from head office or a store manager to one store or to every store."""
