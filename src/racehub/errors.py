"""Domain errors: services raise these, the API renders them in one place."""

from __future__ import annotations


class RaceHubError(Exception):
    """Base of every error a person or client is meant to read."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    @property
    def name(self) -> str:
        return type(self).__name__


class NotFound(RaceHubError):
    status = 404


class EventNotFound(NotFound):
    pass


class RaceNotFound(NotFound):
    pass


class UserNotFound(NotFound):
    pass


class OrganizationNotFound(NotFound):
    pass


class InvalidInput(RaceHubError):
    status = 422


class ImportFailed(RaceHubError):
    """A bundle file or row is malformed; names file, line and column."""

    status = 422

    def __init__(self, file: str, line: int, column: str | None, problem: str) -> None:
        where = f"{file}, line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {problem}")
        self.file, self.line, self.column, self.problem = file, line, column, problem


class Unauthorized(RaceHubError):
    status = 401


class Forbidden(RaceHubError):
    status = 403


class RateLimited(RaceHubError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(RaceHubError):
    status = 409
