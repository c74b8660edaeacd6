"""The hardened HTTP client every vendor client uses.

What it guarantees, whatever the vendor does:
- bounded time: connect/read timeouts, a bounded number of attempts and a bounded total backoff;
- bounded memory: bodies are streamed and abandoned past `max_body_bytes` (default 10 MB);
- no surprise destinations: only http(s), never private, loopback, link-local (cloud metadata) or
  reserved addresses unless the host is explicitly allowed (the local simulators); redirects are
  refused unless `follow_redirects` is set, and then every hop is checked the same way;
- typed answers: JSON only (by content type), validated against a pydantic type per vendor response;
- one error type: everything becomes a `VendorError` whose message names the method and path, never
  the query string (vendor credentials travel there); `retryable` says whether a later attempt may
  succeed (an HTTP 500 that every try of a request met is final: the vendor cannot process it).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from racehub.backoff import equal_jitter
from racehub.integrations.base import (
    UnsafeDestinationError,
    VendorAuthError,
    VendorError,
    VendorNotFound,
    VendorProtocolError,
    VendorUnavailable,
)
from racehub.integrations.destinations import check_destination

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Mapping[str, str | int | float]
SleepFn = Callable[[float], None]

LOCAL_SIMULATOR_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses that say the server did not act on the request, so even a POST may be sent again.
_NOT_PROCESSED_STATUSES = frozenset({429, 503})
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "cookie")
# A status that every try of one request met is about the request, not the vendor's health.
_PERSISTENT_STATUSES = frozenset({500})


@dataclass(frozen=True)
class HttpPolicy:
    """Limits for one vendor client; the defaults suit production vendors."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_total_wait: float = 120.0
    # A single Retry-After longer than this is not slept on: the error goes up with retry_after set.
    max_retry_after: float = 300.0
    follow_redirects: bool = False
    max_redirects: int = 3
    allowed_private_hosts: frozenset[str] = field(default_factory=frozenset)
    user_agent: str = "RaceHub/0.1 (+vendor-sync)"

    @classmethod
    def for_local_simulator(cls, **overrides: Any) -> HttpPolicy:
        """Loopback allowed (the simulators run there), short timeouts; everything else as in production."""
        settings: dict[str, Any] = {
            "allowed_private_hosts": LOCAL_SIMULATOR_HOSTS,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        settings.update(overrides)
        return cls(**settings)


@dataclass(frozen=True)
class VendorResponse(Generic[T]):
    """A validated vendor answer and the headers that carry paging (CTLive) or rate limits."""

    status_code: int
    body: T
    headers: httpx.Headers


@dataclass(frozen=True)
class RawResponse:
    """A response whose body was read within the size cap."""

    status_code: int
    headers: httpx.Headers
    content: bytes


@lru_cache(maxsize=256)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class VendorHttp:
    """One vendor's hardened HTTP session: `request_json` is the only way clients talk to a vendor."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        policy: HttpPolicy | None = None,
        *,
        sleep: SleepFn = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.vendor = vendor
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": self.policy.user_agent, "Accept": "application/json"},
            transport=transport,
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def request_json(
        self,
        method: str,
        path: str,
        response_type: Any,
        *,
        params: Params | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> VendorResponse[Any]:
        """Send, retry within the policy, and return the body validated as `response_type`."""
        raw = self.request(
            method,
            path,
            params=params,
            json_body=json_body,
            form=form,
            headers=headers,
            idempotent=idempotent,
        )
        return VendorResponse(raw.status_code, self.decode(method, path, raw, response_type), raw.headers)

    def decode(self, method: str, path: str, raw: RawResponse, response_type: Any) -> Any:
        """Check the content type, parse JSON, validate the shape; each failure is a VendorProtocolError."""
        where = f"{method} {path}"
        media_type = raw.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise VendorProtocolError(
                f"{self.vendor} {where}: expected JSON, got {media_type or 'no content type'}",
                vendor=self.vendor,
                retryable=True,
            )
        try:
            document = json.loads(raw.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise VendorProtocolError(
                f"{self.vendor} {where}: malformed JSON "
                f"({exc.__class__.__name__} at byte {getattr(exc, 'pos', '?')})",
                vendor=self.vendor,
                retryable=True,
            ) from exc
        try:
            return _adapter(response_type).validate_python(document)
        except ValidationError as exc:
            first = exc.errors()[0]
            location = ".".join(str(part) for part in first["loc"])
            raise VendorProtocolError(
                f"{self.vendor} {where}: unexpected response shape ({exc.error_count()} problems; "
                f"first at {location or '<root>'}: {first['msg']})",
                vendor=self.vendor,
                retryable=False,
            ) from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        content: bytes | None = None,
    ) -> RawResponse:
        """A 2xx response read within the size cap, after bounded retries; otherwise a VendorError.
        `content` sends raw bytes (an encrypted Web Push payload); `path` may be an absolute URL."""
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        request = self._client.build_request(
            method, path, params=params, json=json_body, data=form, headers=headers, content=content
        )
        where = f"{method} {request.url.path}"
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            failure = self._attempt(request, where, idempotent)
            if isinstance(failure, RawResponse):
                return failure
            if not failure.retryable or attempt >= self.policy.max_attempts:
                raise self._final(failure, attempt)
            delay = failure.retry_after if failure.retry_after is not None else self._backoff(attempt)
            if delay > self.policy.max_retry_after or waited + delay > self.policy.max_total_wait:
                raise self._final(failure, attempt)
            log.warning(
                "vendor call failed, retrying",
                extra={"vendor": self.vendor, "call": where, "attempt": attempt, "delay_s": round(delay, 3)},
            )
            self._sleep(delay)
            waited += delay

    def _backoff(self, attempt: int) -> float:
        return equal_jitter(attempt, self.policy.backoff_base, self.policy.backoff_cap, self._rng)

    def _final(self, failure: VendorError, attempts: int) -> VendorError:
        if attempts > 1:
            failure.args = (f"{failure.message} (after {attempts} attempts)",)
            failure.message = failure.args[0]
            if failure.vendor_status in _PERSISTENT_STATUSES:
                # The vendor failed this very request on every try: it cannot process it (a bad id, a
                # bug of theirs), which waiting will not heal. Outages answer 502/503/504 or 429.
                failure.retryable = False
        return failure

    def _attempt(self, request: httpx.Request, where: str, idempotent: bool) -> RawResponse | VendorError:
        """One try (following allowed redirects); a VendorError is returned, not raised, if retry may help."""
        try:
            return self._send_following(request, where)
        except httpx.ConnectTimeout:
            return VendorUnavailable(
                f"{self.vendor} {where}: connect timed out", vendor=self.vendor, retryable=True
            )
        except httpx.ConnectError as exc:
            return VendorUnavailable(
                f"{self.vendor} {where}: connection failed ({exc.__class__.__name__})",
                vendor=self.vendor,
                retryable=True,
            )
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # The request may have reached the vendor: only idempotent calls are sent again here.
            error = VendorUnavailable(
                f"{self.vendor} {where}: "
                + ("timed out" if isinstance(exc, httpx.TimeoutException) else "connection broke"),
                vendor=self.vendor,
                retryable=True,
            )
            if idempotent:
                return error
            raise error from exc
        except VendorError as error:
            if isinstance(error, VendorUnavailable) and error.retryable:
                if idempotent or error.vendor_status in _NOT_PROCESSED_STATUSES:
                    return error
            raise

    def _send_following(self, request: httpx.Request, where: str) -> RawResponse:
        for _hop in range(self.policy.max_redirects + 1):
            check_destination(request.url, self.policy.allowed_private_hosts, self.vendor)
            raw = self._send_capped(request, where)
            if raw.status_code in (301, 302, 303, 307, 308):
                location = raw.headers.get("location", "")
                if not self.policy.follow_redirects:
                    target = httpx.URL(location) if location else None
                    shown = (
                        f"{target.scheme}://{target.host}"
                        if target is not None and target.host
                        else "elsewhere"
                    )
                    raise UnsafeDestinationError(
                        f"{self.vendor} {where}: redirect to {shown} refused",
                        vendor=self.vendor,
                        retryable=False,
                    )
                next_url = request.url.join(location)
                method = "GET" if raw.status_code == 303 else request.method
                content = None if method == "GET" else request.content
                hop_headers = httpx.Headers(request.headers)
                if (next_url.scheme, next_url.host, next_url.port) != (
                    request.url.scheme,
                    request.url.host,
                    request.url.port,
                ):
                    # Credentials never follow a redirect to another origin.
                    for name in _CREDENTIAL_HEADERS:
                        hop_headers.pop(name, None)
                request = self._client.build_request(method, next_url, content=content, headers=hop_headers)
                continue
            if raw.status_code >= 300:
                raise self._status_error(raw, where)
            return raw
        raise UnsafeDestinationError(
            f"{self.vendor} {where}: too many redirects", vendor=self.vendor, retryable=False
        )

    def _send_capped(self, request: httpx.Request, where: str) -> RawResponse:
        cap = self.policy.max_body_bytes
        response = self._client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > cap:
                raise self._too_large(where, cap)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise self._too_large(where, cap)
            return RawResponse(response.status_code, response.headers, bytes(body))
        finally:
            response.close()

    def _too_large(self, where: str, cap: int) -> VendorProtocolError:
        return VendorProtocolError(
            f"{self.vendor} {where}: response larger than {cap} bytes, abandoned",
            vendor=self.vendor,
            retryable=False,
        )

    def _status_error(self, raw: RawResponse, where: str) -> VendorError:
        status = raw.status_code
        retry_after = parse_retry_after(raw.headers.get("retry-after"))
        text = f"{self.vendor} {where}: HTTP {status}"
        if status in (401, 403):
            return VendorAuthError(
                f"{text} (credentials rejected)", vendor=self.vendor, retryable=False, vendor_status=status
            )
        if status == 404:
            return VendorNotFound(
                f"{text} (not found)", vendor=self.vendor, retryable=False, vendor_status=status
            )
        if status in _RETRY_STATUSES:
            return VendorUnavailable(
                text, vendor=self.vendor, retryable=True, retry_after=retry_after, vendor_status=status
            )
        return VendorError(text, vendor=self.vendor, retryable=False, vendor_status=status)
