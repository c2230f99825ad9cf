"""``smartstore cloud receipt-key STORE``: the key a store's kiosks sign e-receipt links with,
derived from the cloud's secret key (so the cloud verifies them with nothing stored)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from contracts.receipts import make_token, store_key, verify_token
from smartstore.cli import build_app


def test_prints_the_store_key_the_cloud_verifies_with(tmp_path: Path) -> None:
    cfg = tmp_path / "cloud.yaml"
    cfg.write_text(yaml.safe_dump({"secret_key": "a-long-production-secret-0123456789"}))
    result = CliRunner().invoke(build_app(), ["cloud", "receipt-key", "demo", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    key = bytes.fromhex(result.output.strip())
    assert key == store_key(b"a-long-production-secret-0123456789", "demo")
    assert verify_token(key, make_token(key, "demo", "S-1"))
    other = CliRunner().invoke(build_app(), ["cloud", "receipt-key", "north", "--config", str(cfg)])
    assert other.output.strip() != result.output.strip()
