"""Write a held-out set to disk for eyeballing: PNGs plus truth.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2

from bench.heldout_photos import photos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.heldout_photos", description=__doc__)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-class", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    truth = []
    for p in photos(args.seed, args.per_class):
        name = f"{p.cls}-{p.index:04d}.png"
        cv2.imwrite(str(out / name), p.image)
        truth.append(
            {
                "file": name,
                "cls": p.cls,
                "index": p.index,
                "seed": p.seed,
                "gtin14": p.gtin14,
                "conditions": p.conditions,
            }
        )
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"wrote {len(truth)} images and truth.json to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
