"""Bagging-area scale: a Protocol, a fake that behaves like a load cell, a serial backend."""
