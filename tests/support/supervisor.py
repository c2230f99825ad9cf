"""The node-unit supervisor double now lives in :mod:`simulators.supervisor` (the fault fleet
runs a node under it at run time); tests import it from here as before."""

from simulators.supervisor import Supervised

__all__ = ["Supervised"]
