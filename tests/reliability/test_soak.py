"""Soak, short form: a small fleet, every fault kind at least once, every invariant at the end.

Long form and its recorded figures: docs/RELIABILITY.md (``python -m tests.reliability.soak``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.fleet import FAULTS, SoakConfig, run_soak

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.postgres]


def test_fleet_under_faults_loses_and_doubles_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("SOAK_SEED", "7"))
    config = SoakConfig(stores=3, seconds=50.0, rate=3.0, fault_every_s=6.0, seed=seed)
    report = run_soak(config, tmp_path / "soak")
    print(report.summary())
    assert set(report.faults) == set(FAULTS), report.summary()
    assert report.verdict.events > 200, report.summary()
    assert report.verdict.sales > 50, report.summary()
    assert report.verdict.losses == 0, report.summary()
    assert report.verdict.duplicates == 0, report.summary()
    assert report.verdict.violations == [], report.summary()
