"""Runtime: ordered start, reverse stop, failing starts, stop event and signals."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from edge.runtime import Runtime


class Recorder:
    """A service that records its lifecycle into a shared journal."""

    def __init__(self, name: str, journal: list[str], fail_start: bool = False) -> None:
        self.name = name
        self.journal = journal
        self.fail_start = fail_start

    def start(self) -> None:
        if self.fail_start:
            raise RuntimeError(f"{self.name} cannot start")
        self.journal.append(f"start {self.name}")

    def stop(self) -> None:
        self.journal.append(f"stop {self.name}")


def test_starts_in_order_and_stops_in_reverse_on_the_stop_event() -> None:
    journal: list[str] = []
    stop = threading.Event()
    runtime = Runtime([Recorder("a", journal), Recorder("b", journal)], stop)
    stop.set()
    runtime.run(install_signals=False)
    assert journal == ["start a", "start b", "stop b", "stop a"]


def test_a_failing_start_stops_the_started_ones_and_raises() -> None:
    journal: list[str] = []
    services = [
        Recorder("a", journal),
        Recorder("b", journal, fail_start=True),
        Recorder("c", journal),
    ]
    with pytest.raises(RuntimeError, match="b cannot start"):
        Runtime(services).run(install_signals=False)
    assert journal == ["start a", "stop a"]


def test_a_failing_stop_does_not_prevent_the_others() -> None:
    journal: list[str] = []

    class BadStop(Recorder):
        def stop(self) -> None:
            raise OSError("device gone")

    stop = threading.Event()
    stop.set()
    Runtime([Recorder("a", journal), BadStop("b", journal)], stop).run(install_signals=False)
    assert journal == ["start a", "start b", "stop a"]


def test_sigterm_stops_the_runtime_and_restores_handlers() -> None:
    journal: list[str] = []
    before = signal.getsignal(signal.SIGTERM)

    class Killer(Recorder):
        def start(self) -> None:
            super().start()
            os.kill(os.getpid(), signal.SIGTERM)

    runtime = Runtime([Recorder("a", journal), Killer("k", journal)])
    runtime.run()
    assert runtime.stop_event.is_set()
    assert journal == ["start a", "start k", "stop k", "stop a"]
    assert signal.getsignal(signal.SIGTERM) is before
