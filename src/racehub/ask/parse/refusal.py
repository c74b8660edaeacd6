"""Questions that must not run: requests to change data, SQL typed into chat, probes of the system."""

from __future__ import annotations

import re

from racehub.ask.intent import Outcome
from racehub.ask.text import find_any, has_any, normalize

# Requests to change data, and attempts to reach the system itself.
WRITE_VERBS = (
    "delete",
    "drop",
    "truncate",
    "update",
    "insert",
    "alter",
    "remove",
    "erase",
    "wipe",
    "purge",
    "overwrite",
    "modify",
    "rename",
    "destroy",
    "set all",
    "mark all",
    "change all",
    "replace all",
    "edit",
    "clear all",
)

SQL_INJECTION = re.compile(
    r";|--|/\*|\b(drop|delete|truncate|insert|update|alter|create|grant|revoke)\s+(table|from|into|database|"
    r"schema|role|user|index|view)\b|\bunion\s+select\b|\bpg_\w+|\binformation_schema\b|\bset_config\b|"
    r"\bcurrent_setting\b|\bpg_sleep\b|\bcopy\s+\w+\s+(to|from)\b",
    re.IGNORECASE,
)

SYSTEM_PROBES = (
    "system prompt",
    "your prompt",
    "your instructions",
    "ignore previous",
    "ignore all previous",
    "ignore your",
    "password hash",
    "api key",
    "database schema",
    "all tables",
    "other tenants",
    "other companies",
    "every company",
    "all companies",
    "connection string",
)


def _refusal(question: str) -> Outcome | None:
    text = normalize(question)
    if SQL_INJECTION.search(question):
        return Outcome(
            "refused",
            "That looks like SQL or a system command; I only answer questions about "
            "race data and never run statements typed into the chat.",
        )
    verb = find_any(text, *WRITE_VERBS)
    if verb and not re.search(rf"\b(how|what|which|who|when|did|was|were|is)\b.*\b{verb}d?\b", text):
        return Outcome(
            "refused",
            f"I can't {verb} data: answers are read-only. Changes to results go through "
            "imports, syncs and scoring workflows, which staff can start with confirmation.",
        )
    if has_any(text, *SYSTEM_PROBES):
        return Outcome(
            "refused",
            "I can't share system internals, credentials or other companies' data. "
            "Ask me about your own events, results and registrations.",
        )
    return None
