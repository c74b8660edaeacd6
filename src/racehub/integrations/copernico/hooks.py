"""Post-scoring hooks: tell another system that a Copernico scoring run finished.

Configured by one string (e.g. a setting per timing company):
- `https://example.org/racehub/scored` (or `http://`): POST the event as JSON through the hardened client;
- `lambda:function-name` or `lambda:function-name@eu-west-1`: invoke an AWS Lambda function
  asynchronously (`InvocationType=Event`) with the event as its payload.

Delivery is at least once (jobs retry): receivers should de-duplicate on `job_id`.
"""

from __future__ import annotations

import json
import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from racehub.integrations.base import ScoringState, VendorError
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp

LAMBDA_PREFIX = "lambda:"
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_:.-]{1,170}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# Lambda error codes worth another try later; anything else (bad name, no permission, bad payload) is not.
_RETRYABLE_LAMBDA_ERRORS = frozenset(
    {
        "TooManyRequestsException",
        "ServiceException",
        "ResourceNotReadyException",
        "EC2ThrottledException",
        "ResourceConflictException",
    }
)


@dataclass(frozen=True, slots=True)
class ScoringCompleted:
    """What a hook is told when a vendor-side scoring job ends."""

    edition_external_id: str
    race_external_id: str
    job_id: str
    state: ScoringState
    detail: str | None
    completed_at: datetime
    vendor: str = "copernico"

    def payload(self) -> dict[str, Any]:
        return {
            "type": "scoring.completed",
            "vendor": self.vendor,
            "edition_external_id": self.edition_external_id,
            "race_external_id": self.race_external_id,
            "job_id": self.job_id,
            "state": self.state,
            "detail": self.detail,
            "completed_at": self.completed_at.isoformat(),
        }


class PostScoringHook(ABC):
    """Somewhere to announce a finished scoring run."""

    @abstractmethod
    def notify(self, event: ScoringCompleted) -> None:
        """Deliver `event`; raises VendorError (with `retryable`) when it could not be delivered."""

    @abstractmethod
    def close(self) -> None:
        """Release connections, if any."""


class HttpPostScoringHook(PostScoringHook):
    """POSTs the event as JSON; any 2xx is success, the answer's body is not read beyond the size cap."""

    def __init__(self, url: str, *, policy: HttpPolicy | None = None, sleep: SleepFn = time.sleep) -> None:
        self._url = url
        self._http = VendorHttp("post-scoring-hook", "", policy, sleep=sleep)

    def notify(self, event: ScoringCompleted) -> None:
        # Idempotent by contract (receivers de-duplicate on job_id), so a timed-out POST may be resent.
        self._http.request("POST", self._url, json_body=event.payload(), idempotent=True)

    def close(self) -> None:
        self._http.close()


class LambdaPostScoringHook(PostScoringHook):
    """Invokes a Lambda function asynchronously; AWS queues the event and retries the function itself."""

    def __init__(self, function_name: str, *, region: str | None = None, client: Any = None) -> None:
        self.function_name = function_name
        self.region = region
        if client is None:
            import boto3
            from botocore.config import Config

            retries: dict[str, Any] = {"max_attempts": 3, "mode": "standard"}
            config = Config(connect_timeout=5, read_timeout=10, retries=retries)
            client = boto3.client("lambda", region_name=region, config=config)
        self._client = client

    def notify(self, event: ScoringCompleted) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"lambda {self.function_name}"
        try:
            answer = self._client.invoke(
                FunctionName=self.function_name,
                InvocationType="Event",
                Payload=json.dumps(event.payload()).encode(),
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            raise VendorError(
                f"{where}: {code}", vendor="lambda", retryable=code in _RETRYABLE_LAMBDA_ERRORS
            ) from exc
        except BotoCoreError as exc:
            raise VendorError(f"{where}: {exc.__class__.__name__}", vendor="lambda", retryable=True) from exc
        status = answer.get("StatusCode")
        if status != 202:
            raise VendorError(f"{where}: async invoke answered {status}", vendor="lambda", retryable=True)

    def close(self) -> None:
        """boto3 clients hold no connections that need closing here."""


def build_post_scoring_hook(
    target: str,
    *,
    policy: HttpPolicy | None = None,
    sleep: SleepFn = time.sleep,
    lambda_client: Any = None,
) -> PostScoringHook:
    """The hook a configuration string names: `http(s)://...` or `lambda:function-name[@region]`."""
    target = target.strip()
    if target.startswith(("http://", "https://")):
        return HttpPostScoringHook(target, policy=policy, sleep=sleep)
    if target.startswith(LAMBDA_PREFIX):
        name, _, region = target[len(LAMBDA_PREFIX) :].partition("@")
        if not _FUNCTION_NAME.match(name) or (region and not _REGION.match(region)):
            raise ValueError(f"not a Lambda hook target: {target!r} (lambda:function-name[@region])")
        return LambdaPostScoringHook(name, region=region or None, client=lambda_client)
    raise ValueError(f"unsupported post-scoring hook {target!r}: use http(s)://... or lambda:name[@region]")
