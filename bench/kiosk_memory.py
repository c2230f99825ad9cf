"""Kiosk node memory: RSS of `smartstore kiosk run` with the camera decoding a looping video.

Baseline in the same run: RSS of a bare `python -c "import time; time.sleep(…)"` process.
Run: .venv/bin/python -m bench.kiosk_memory   (target: node RSS ≤ 200 MB)
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from contracts.pricebook import encode_pricebook
from kiosk.demo_book import MILK, demo_book
from kiosk.scanner.testing import Label, background, render_frame, write_video
from smartstore.broker import free_port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    rng = random.Random(1)
    scene = background(rng)
    label = Label("ean13", MILK[1:], MILK)
    frames = [render_frame(label, "clean", rng, scene=scene.copy()) for _ in range(30)]
    write_video(str(tmp / "v.avi"), frames + [scene] * 30)
    (tmp / "book.json").write_bytes(encode_pricebook(demo_book()))
    port = free_port()
    cfg = {
        "identity": {"store": "demo", "node": "kiosk-1"},
        "mqtt": {"url": f"mqtt://127.0.0.1:{free_port()}"},
        "outbox": {"path": str(tmp / "node.sqlite3")},
        "scanner": {"type": "camera", "source": str(tmp / "v.avi"), "loop": True},
        "scale": {"type": "fake"},
        "terminal": {"type": "simulator", "state_path": str(tmp / "t.sqlite3")},
        "printer": {"type": "dummy"},
        "ui": {"port": port},
        "pricebook": {"seed_path": str(tmp / "book.json")},
    }
    (tmp / "k.yaml").write_text(yaml.safe_dump(cfg))
    base = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    node = subprocess.Popen(
        [sys.executable, "-m", "smartstore", "kiosk", "run", "--config", str(tmp / "k.yaml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/state", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        samples = []
        for _ in range(10):  # camera decoding for ~10 s
            time.sleep(1)
            samples.append(rss_mb(node.pid))
        baseline = rss_mb(base.pid)
        peak = max(samples)
        print(
            f"kiosk node RSS peak {peak:.1f} MB (camera running), "
            f"bare python {baseline:.1f} MB, ratio {peak / baseline:.1f}x; target ≤ 200 MB"
        )
    finally:
        node.terminate()
        node.wait(15)
        base.kill()


if __name__ == "__main__":
    main()
