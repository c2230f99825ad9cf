"""Errors of the simulators; each names what to fix (a scenario field, a missing price book)."""


class SimulatorError(Exception):
    """Base of simulator errors."""


class ScenarioError(SimulatorError):
    """A scenario file is unreadable or invalid; the message names the field."""


class NoPriceBookError(SimulatorError):
    """The simulated kiosks got no price book from the broker in time."""
