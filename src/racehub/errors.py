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


# Paths that speak OpenAI's API: their errors come in OpenAI's shape, which clients such as Open WebUI show
# ("try again in 617 s" rather than a bare "RateLimited").
OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")
_OPENAI_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def error_payload(path: str, status: int, name: str, detail: str) -> dict[str, object]:
    """An error as RaceHub answers it: `{"error": name, "detail": ...}`, or on the OpenAI-compatible
    paths `{"error": {"message", "type", "code"}}`."""
    if path.rstrip("/") in OPENAI_PATHS:
        kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        return {"error": {"message": detail, "type": kind, "code": name}}
    return {"error": name, "detail": detail}
