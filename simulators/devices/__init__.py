"""Fake hardware the simulators drive live: load cells, a handheld camera, frames."""
