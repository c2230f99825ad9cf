"""Independent shelf evaluation: trace generator, truth, scorer, naive baseline (issue 17).

    python -m bench.shelfgen families
    python -m bench.shelfgen generate --family NAME --seed N [--minutes M] [--rate HZ] --out DIR
    python -m bench.shelfgen score --truth DIR/truth.jsonl --pred PRED.jsonl [--lanes LANES]

Written without reading the detector or the project's simulator (docs/shelf-evaluation.md).
Seeds >= 1000 are held out: tune on seeds < 1000 only.
"""

from bench.shelfgen.params import FAMILIES
from bench.shelfgen.score import score
from bench.shelfgen.scores import Scores, combine
from bench.shelfgen.trace import HELD_OUT_FROM, Chunk, Trace, generate

__all__ = ["FAMILIES", "HELD_OUT_FROM", "Chunk", "Scores", "Trace", "combine", "generate", "score"]
