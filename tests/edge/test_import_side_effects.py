"""Nothing happens at import time: no threads, no files, no sockets (ARCHITECTURE §1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, pkgutil, importlib, threading, sys
before_fds = set(os.listdir('/proc/self/fd'))
names = []
for pkg in ('contracts', 'edge', 'smartstore'):
    mod = importlib.import_module(pkg)
    names.append(pkg)
    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):
        if info.name.endswith('__main__'):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
after_fds = set(os.listdir('/proc/self/fd'))
print(json.dumps({
    'modules': names,
    'threads': [t.name for t in threading.enumerate()],
    'new_fds': sorted(after_fds - before_fds),
    'files': sorted(os.listdir('.')),
}))
"""


def test_importing_contracts_edge_and_cli_has_no_side_effects(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"edge.outbox", "edge.link", "edge.runtime", "contracts.messages"} <= set(
        probe["modules"]
    )
    assert probe["threads"] == ["MainThread"]
    assert probe["files"] == []
    # /proc/self/fd listing itself may show one transient descriptor; nothing else opened
    assert len(probe["new_fds"]) <= 1


def test_smartstore_help_works(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "smartstore", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "broker" in out.stdout
    assert "kiosk" in out.stdout
