"""Acceptance (issue 22, fleet fault injection): `smartstore simulate fleet --faults` runs
real stores (the kiosk and shelf node code on simulated devices) with faults injected into
them and a broker restart, then judges from the cloud's REST API alone. Four stores play
every fault kind, and one more node of the first store (a real subprocess from A/B version
directories) gets a bad update: its rollout must halt at the canary ring and the node return
to its good version by itself. The run must see each fault detected and cleared, and every
sale the nodes recorded in the cloud exactly once or held as a dead letter with its reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulators.faultplan import KINDS
from smartstore.cli import build_app

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.timeout(600)]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_four_stores_with_every_fault_kind(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    argv = ["simulate", "fleet", "--faults", "--stores", "4", "--minutes", "6", "--speed", "10"]
    argv += ["--workers", "2"]  # the stores over two processes, as a big fleet runs
    argv += ["--data-dir", str(tmp_path)]
    if database == "postgres":
        from tests.cloud.conftest import reset_postgres

        url: str = request.getfixturevalue("pg_url")
        reset_postgres(url)
        argv += ["--database-url", url]
    result = CliRunner().invoke(build_app(), argv)
    out = result.output
    assert result.exit_code == 0, out[-4000:]
    assert "verdict: ok" in out
    sales = re.search(r"sales: sold (\d+), applied (\d+), held as dead letters (\d+)", out)
    assert sales is not None, out[-2000:]
    sold, applied, held = map(int, sales.groups())
    assert sold >= 40
    assert applied + held == sold
    assert "missing 0, applied twice 0" in out
    assert "approved without a sale, or the reverse: 0 (" in out
    rows = [ln for ln in out.splitlines() if ln.startswith(("ok   ", "FAIL "))]
    assert len(rows) == 9
    assert {ln.split()[2] for ln in rows} == {*KINDS, "bad_update"}
    update = next(ln for ln in rows if ln.split()[2] == "bad_update")
    assert "rollout halted: ring canary: " in update
    assert "node reported self-test failed: broker: not connected to the broker" in update
    assert "ran 1.0.0>1.2.0>1.0.0, back on 1.0.0 (cloud: 1.0.0)" in update
    assert all(ln.startswith("ok   ") for ln in rows), "\n".join(rows)
