"""`python -m tests.ask.question_gen --n 3000 --seed 7 > q.jsonl`: generated questions as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.ask.bundle_reference import Bundle
from tests.ask.question_gen import BUNDLE, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Questions about the racedata-v1 bundle with gold answers, as JSON lines."
    )
    ap.add_argument("--n", type=int, default=3000, help="how many questions")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bundle", type=Path, default=BUNDLE, help="a racedata-v1 bundle directory")
    args = ap.parse_args(argv)
    for item in generate(args.n, args.seed, Bundle(args.bundle)):
        sys.stdout.write(json.dumps(item) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
