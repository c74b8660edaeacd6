"""Post-scoring hooks: an HTTP receiver on 127.0.0.1, and AWS Lambda through botocore's Stubber."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from fastapi import FastAPI, Request, Response

from racehub.integrations.base import UnsafeDestinationError, VendorError, VendorUnavailable
from racehub.integrations.copernico.hooks import (
    HttpPostScoringHook,
    LambdaPostScoringHook,
    ScoringCompleted,
    build_post_scoring_hook,
)
from racehub.integrations.http import HttpPolicy
from racehub.integrations.simulators.kit import RunningServer, start_server_thread

EVENT = ScoringCompleted(
    edition_external_id="CO-61357",
    race_external_id="248540",
    job_id="job-1",
    state="done",
    detail="705 athletes ranked",
    completed_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
)


class Receiver:
    """A webhook endpoint that records what it is sent and can answer with a chosen status."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.content_types: list[str] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        app = FastAPI()

        @app.post("/hooks/scored")
        async def scored(request: Request) -> Response:
            with self.lock:
                self.bodies.append(json.loads(await request.body()))
                self.content_types.append(request.headers.get("content-type", ""))
                status = self.statuses.pop(0) if self.statuses else 204
            return Response(status_code=status)

        self.app = app


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, RunningServer]]:
    target = Receiver()
    server = start_server_thread(target.app)
    yield target, server
    server.stop()


def _lambda_client() -> Any:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # a stubbed client never sends it
    )


class TestHttpHook:
    def test_posts_the_event_as_json(self, receiver, sleeps) -> None:
        target, server = receiver
        hook = build_post_scoring_hook(
            f"{server.url}/hooks/scored", policy=HttpPolicy.for_local_simulator(), sleep=sleeps
        )
        assert isinstance(hook, HttpPostScoringHook)
        hook.notify(EVENT)
        hook.close()
        assert target.bodies == [
            {
                "type": "scoring.completed",
                "vendor": "copernico",
                "edition_external_id": "CO-61357",
                "race_external_id": "248540",
                "job_id": "job-1",
                "state": "done",
                "detail": "705 athletes ranked",
                "completed_at": "2026-11-25T12:00:00+00:00",
            }
        ]
        assert target.content_types == ["application/json"]

    def test_a_busy_receiver_is_retried_then_reached(self, receiver, sleeps) -> None:
        target, server = receiver
        target.statuses = [503, 503]
        hook = HttpPostScoringHook(
            f"{server.url}/hooks/scored", policy=HttpPolicy.for_local_simulator(), sleep=sleeps
        )
        hook.notify(EVENT)
        hook.close()
        assert len(target.bodies) == 3
        assert len(sleeps.waits) == 2

    @pytest.mark.parametrize(("status", "retryable"), [(503, True), (500, False)])
    def test_a_failing_receiver_ends_in_an_error_retryable_unless_every_try_met_a_500(
        self, receiver, sleeps, status: int, retryable: bool
    ) -> None:
        target, server = receiver
        target.statuses = [status] * 10
        policy = HttpPolicy.for_local_simulator(max_attempts=2)
        hook = HttpPostScoringHook(f"{server.url}/hooks/scored", policy=policy, sleep=sleeps)
        with pytest.raises(VendorUnavailable) as caught:
            hook.notify(EVENT)
        hook.close()
        assert caught.value.retryable is retryable
        assert len(target.bodies) == 2

    def test_metadata_and_private_targets_are_refused_before_sending(self, sleeps) -> None:
        for url in ("http://169.254.169.254/latest/", "http://10.1.2.3/hook"):
            hook = build_post_scoring_hook(url, sleep=sleeps)
            with pytest.raises(UnsafeDestinationError):
                hook.notify(EVENT)
            hook.close()
        assert sleeps.waits == []


class TestLambdaHook:
    def test_invokes_the_function_asynchronously_with_the_event(self) -> None:
        client = _lambda_client()
        hook = build_post_scoring_hook("lambda:racehub-scored@us-east-1", lambda_client=client)
        assert isinstance(hook, LambdaPostScoringHook)
        assert (hook.function_name, hook.region) == ("racehub-scored", "us-east-1")
        with Stubber(client) as stub:
            stub.add_response(
                "invoke",
                {"StatusCode": 202, "Payload": StreamingBody(io.BytesIO(b""), 0)},
                expected_params={
                    "FunctionName": "racehub-scored",
                    "InvocationType": "Event",
                    "Payload": json.dumps(EVENT.payload()).encode(),
                },
            )
            hook.notify(EVENT)
            stub.assert_no_pending_responses()

    @pytest.mark.parametrize(
        ("code", "retryable"),
        [
            ("TooManyRequestsException", True),
            ("ResourceNotFoundException", False),
            ("AccessDeniedException", False),
        ],
    )
    def test_lambda_errors_map_to_vendor_errors(self, code, retryable) -> None:
        client = _lambda_client()
        hook = LambdaPostScoringHook("racehub-scored", client=client)
        with Stubber(client) as stub:
            stub.add_client_error(
                "invoke", service_error_code=code, http_status_code=429 if retryable else 404
            )
            with pytest.raises(VendorError) as caught:
                hook.notify(EVENT)
        assert caught.value.retryable is retryable
        assert code in str(caught.value)

    def test_a_synchronous_answer_is_not_taken_for_a_queued_event(self) -> None:
        client = _lambda_client()
        hook = LambdaPostScoringHook("racehub-scored", client=client)
        with Stubber(client) as stub:
            stub.add_response("invoke", {"StatusCode": 200})
            with pytest.raises(VendorError, match="answered 200"):
                hook.notify(EVENT)


class TestHookConfiguration:
    @pytest.mark.parametrize(
        "target",
        ["", "ftp://example.com/hook", "lambda:", "lambda:bad name", "lambda:fn@not a region", "sqs:queue"],
    )
    def test_unusable_targets_are_rejected(self, target) -> None:
        with pytest.raises(ValueError, match="hook"):
            build_post_scoring_hook(target)

    def test_lambda_without_region_uses_the_client_default(self) -> None:
        hook = build_post_scoring_hook("lambda:racehub-scored", lambda_client=_lambda_client())
        assert isinstance(hook, LambdaPostScoringHook)
        assert hook.region is None


class TestScoringFlow:
    def test_score_in_copernico_then_announce_it(self, simulator, receiver, sleeps) -> None:
        target, server = receiver
        sim = simulator("copernico", scoring_polls=1)
        hook = build_post_scoring_hook(
            f"{server.url}/hooks/scored", policy=HttpPolicy.for_local_simulator(), sleep=sleeps
        )
        with sim.client() as client:
            job_id = client.request_scoring("CO-61357", "248540")
            status = client.scoring_status("CO-61357", job_id)
        assert status.state == "done"
        hook.notify(
            ScoringCompleted("CO-61357", "248540", job_id, status.state, status.detail, datetime.now(UTC))
        )
        hook.close()
        assert [body["job_id"] for body in target.bodies] == [job_id]
        assert target.bodies[0]["detail"] == status.detail
        assert status.detail is not None
        assert status.detail.endswith("athletes ranked")
