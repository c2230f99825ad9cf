"""A/B version directories: install beside, switch, refuse what does not fit, prune."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.bundles import BundleError, load_public_key
from edge.updates.slots import Slots
from edge.updates.state import trial_state
from edge.updates.trial import commit, guard, roll_back
from tests.edge.updates.conftest import Shelf


def test_install_beside_and_switch(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    slots.install(
        shelf.build("1.1.0"), load_public_key(shelf.public), kind="kiosk", running="1.0.0"
    )
    assert slots.installed() == ["1.0.0", "1.1.0"]
    assert slots.current == "1.0.0"  # installing never switches
    slots.switch("1.1.0")
    assert (root / "current" / "app" / "smartstore" / "VERSION").read_text() == "1.1.0\n"
    assert slots.known_good == "1.0.0"
    # the wheel is importable from the version's site directory
    env = {**os.environ, "PYTHONPATH": f"{root / 'current' / 'site'}"}
    out = subprocess.run(
        [sys.executable, "-c", "import tinydep; print(tinydep.VALUE)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "tinydep 1.0"


def test_refuses_other_kind_and_too_old_a_node(shelf: Shelf, tmp_path: Path) -> None:
    key = load_public_key(shelf.public)
    slots = Slots(tmp_path / "node")
    shelf_only = shelf.build("2.0.0", node_kinds=["shelf"], min_version="1.5.0")
    with pytest.raises(BundleError, match=r"is for \['shelf'\], not kiosk"):
        slots.install(shelf_only, key, kind="kiosk", running="1.0.0")
    with pytest.raises(BundleError, match=r"needs at least 1\.5\.0; this node runs 1\.0\.0"):
        slots.install(shelf_only, key, kind="shelf", running="1.0.0")
    assert slots.installed() == []


def test_commit_and_roll_back_move_the_links(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    for version in ("1.1.0", "1.2.0"):
        slots.install(
            shelf.build(version), load_public_key(shelf.public), kind="kiosk", running="1.0.0"
        )
    slots.switch("1.1.0")
    done = commit(root, trial_state("1.1.0", "1.0.0", None, 60))
    assert (done.status, slots.known_good) == ("ok", "1.1.0")
    slots.switch("1.2.0")
    back = roll_back(root, trial_state("1.2.0", "1.1.0", None, 60), "self-test failed")
    assert (back.status, back.reason, slots.current) == ("rolled_back", "self-test failed", "1.1.0")


def test_guard_rolls_back_a_crash_loop(shelf: Shelf, tmp_path: Path) -> None:
    from edge.updates.state import load_state, save_state

    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    slots.install(
        shelf.build("1.1.0"), load_public_key(shelf.public), kind="kiosk", running="1.0.0"
    )
    save_state(root, trial_state("1.1.0", "1.0.0", "r1", 600))
    slots.switch("1.1.0")
    assert [guard(root, max_boots=2) for _ in range(2)] == [
        "trial start 1 of 2",
        "trial start 2 of 2",
    ]
    assert guard(root, max_boots=2).startswith("rolled back: crash loop: 2 starts")
    assert slots.current == "1.0.0"
    state = load_state(root)
    assert state is not None
    assert state.status == "rolled_back"
    assert guard(root) == "no trial"


def test_manual_install_of_a_first_version_and_a_refused_one(shelf: Shelf, tmp_path: Path) -> None:
    from edge.updates.install import main

    root = tmp_path / "node"
    bundle = shelf.build("1.0.0")
    args = ["--root", str(root), "--kind", "kiosk", "--key", shelf.public]
    assert main([str(bundle), *args]) == 0
    assert (Slots(root).current, Slots(root).known_good) == ("1.0.0", "1.0.0")
    assert main([str(shelf.build("1.1.0")), *args]) == 0
    assert Slots(root).current == "1.0.0"  # beside, not switched
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not a bundle")
    assert main([str(bad), *args]) == 1
