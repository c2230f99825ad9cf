"""Pure checkout core: the phase table (:mod:`.transitions`), the state machine, cart, bagging
check, interventions, payment ledger, what a scanned code is, returns, Z report.

No I/O here (import-linter forbids it): every function takes the time it needs (a ``now``
argument or a clock), so the whole checkout can be replayed in tests and simulators.
"""
