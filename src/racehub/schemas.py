"""Response shapes every domain shares."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a longer list: `items` from position `offset`, at most `limit` of them, of `total`."""

    total: int
    limit: int
    offset: int
    items: list[T]


class ErrorOut(BaseModel):
    """Every error RaceHub answers: what went wrong by name, and a sentence naming what to fix."""

    error: str
    detail: str


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    code: str


class OpenAIErrorOut(BaseModel):
    """Errors of the OpenAI-compatible endpoints, in OpenAI's shape."""

    error: OpenAIErrorDetail


def error_responses(model: type[BaseModel] = ErrorOut) -> dict[int | str, dict[str, object]]:
    """The error statuses any endpoint may answer, documented with the error model they come in."""
    said = {
        401: "no valid credential",
        403: "the credential may not do this",
        404: "not found, or not yours",
        409: "conflicts with the current state",
        413: "the request body is too large",
        422: "a field is missing or malformed (the detail names it)",
        429: "too many requests; see Retry-After",
    }
    return {status: {"model": model, "description": text} for status, text in said.items()}
