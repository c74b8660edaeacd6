"""Understanding a question: what is asked (an Intent) or why it gets no query (an Outcome)."""

from racehub.ask.intent import Outcome
from racehub.ask.parse.core import STOP, _editions, parse, person_candidates

__all__ = ["STOP", "Outcome", "_editions", "parse", "person_candidates"]
