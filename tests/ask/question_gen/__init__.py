"""Questions about the racedata-v1 bundle, generated with their gold answers.

A reading (a measure over a population of races and editions, with filters, optionally grouped or
compared: src/racehub/ask/README.md) is sampled over the bundle's real events, races, years, people,
clubs, cities and states. Its gold comes from the plain reference (tests/ask/bundle_reference.py, no
racehub code). It is then written the way timing-company staff type: one of several templates and
paraphrases, the year before or after the event name or relative to `today`, abbreviations (HM, 10k,
M40-44), typos, lower case, chat filler, polite long sentences, no question mark.

A reading is kept only when its gold tells it apart from its neighbours: the same question with a
filter dropped, another population, the other time basis, the year before or after, or a number the
question itself contains. So an answer to a broader or different question cannot pass by chance.

Each item is {"id", "question", "today", "category", "expect"}; `expect` uses the keys of
../shared/eval/check.py. Reproducible by seed:

    python -m tests.ask.question_gen --n 3000 --seed 7 > q.jsonl
"""

from __future__ import annotations

from tests.ask.question_gen.base import BUNDLE, REF, Item, seconds_text
from tests.ask.question_gen.generator import Generator, generate, sample

__all__ = ["BUNDLE", "REF", "Generator", "Item", "generate", "sample", "seconds_text"]
