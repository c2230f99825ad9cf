"""Pure checkout core: cart, state machine, bagging check, interventions, Z report.

No I/O here: every function takes the time it needs (a ``now`` argument or a clock), so the
whole checkout can be replayed in tests and simulators.
"""
