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
