"""The hardened HTTP layer under misbehaving vendors (security cases 12 and 22), through the real clients."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from fastapi import FastAPI

from racehub.integrations.base import (
    UnsafeDestinationError,
    VendorAuthError,
    VendorProtocolError,
    VendorUnavailable,
)
from racehub.integrations.http import (
    LOCAL_SIMULATOR_HOSTS,
    HttpPolicy,
    VendorHttp,
    check_destination,
    parse_retry_after,
)
from racehub.integrations.runsignup.schemas import RaceResponse
from racehub.integrations.simulators.kit import start_server_thread

RSU_EDITION = "104887"
RSU_RACE_PATH = f"/Rest/race/{RSU_EDITION}"


class TestRetryAfter:
    def test_a_wait_longer_than_the_policy_allows_is_not_slept(self, simulator, sleeps) -> None:
        sim = simulator("runsignup")
        sim.fault(kind="rate_limit", retry_after=3600)
        with sim.client(sleep=sleeps) as client, pytest.raises(VendorUnavailable) as caught:
            client.races(RSU_EDITION)
        assert sleeps.waits == []
        assert caught.value.retryable is True
        assert caught.value.retry_after == 3600  # the job layer reschedules itself that far out
        assert sim.requests_to("/Rest") == 1

    def test_total_wait_is_bounded(self, simulator, sleeps) -> None:
        sim = simulator("runsignup")
        sim.fault(kind="rate_limit", retry_after=50)
        policy = HttpPolicy.for_local_simulator(max_total_wait=120.0, max_attempts=10)
        with sim.client(sleep=sleeps, policy=policy) as client, pytest.raises(VendorUnavailable) as caught:
            client.races(RSU_EDITION)
        assert sleeps.waits == [50.0, 50.0]  # a third wait would pass 120 s in all
        assert sim.requests_to("/Rest") == 3
        assert "after 3 attempts" in str(caught.value)

    def test_http_date_retry_after(self) -> None:
        when = datetime.now(UTC) + timedelta(seconds=90)
        seconds = parse_retry_after(format_datetime(when, usegmt=True))
        assert seconds is not None
        assert 85 <= seconds <= 91
        assert parse_retry_after("12") == 12.0
        assert parse_retry_after("soon") is None


class TestTimeouts:
    def test_slow_vendor_times_out_and_retries_a_bounded_number_of_times(self, simulator, sleeps) -> None:
        sim = simulator("runsignup")
        sim.fault(kind="slow", delay_s=1.0)
        policy = HttpPolicy.for_local_simulator(read_timeout=0.2, max_attempts=3)
        started = time.monotonic()
        with (
            sim.client(sleep=sleeps, policy=policy) as client,
            pytest.raises(VendorUnavailable, match="timed out"),
        ):
            client.races(RSU_EDITION)
        assert time.monotonic() - started < 2.5  # three 0.2 s timeouts, not three 1 s answers
        assert len(sleeps.waits) == 2
        assert sim.requests_to("/Rest") == 3

    def test_a_timed_out_post_that_may_have_landed_is_not_resent(self, simulator, sleeps) -> None:
        sim = simulator("copernico")
        sim.fault(kind="slow", delay_s=1.0, path_prefix="/races/")
        policy = HttpPolicy.for_local_simulator(read_timeout=0.2)
        with sim.client(sleep=sleeps, policy=policy) as client, pytest.raises(VendorUnavailable) as caught:
            client.request_scoring("CO-61357", "248540")
        assert caught.value.retryable is True  # the job may try later; the scoring endpoint de-duplicates
        assert sleeps.waits == []
        assert sim.requests_to("/races/") == 1


class TestMalformedBodies:
    def test_html_instead_of_json(self, simulator, sleeps) -> None:
        sim = simulator("ctlive")
        sim.fault(kind="html", count=1)
        with (
            sim.client(sleep=sleeps) as client,
            pytest.raises(VendorProtocolError, match="expected JSON, got text/html"),
        ):
            client.races("CT-61007")
        with sim.client(sleep=sleeps) as client:
            assert (
                len(client.races("CT-61007")) == 3
            )  # the next call is fine: nothing was kept from the bad one

    def test_truncated_json(self, simulator) -> None:
        sim = simulator("raceroster")
        sim.fault(kind="truncated", path_prefix="/api/v1/")
        with sim.client() as client, pytest.raises(VendorProtocolError, match="malformed JSON") as caught:
            client.races("104071")
        assert caught.value.retryable is True

    def test_unexpected_shape_is_not_retryable(self, sleeps) -> None:
        app = FastAPI()

        @app.get("/Rest/race/{race_id}")
        def race(race_id: str) -> dict[str, object]:
            return {"race": {"race_id": race_id, "events": [{"event_id": 1}]}}  # no race name, no event name

        server = start_server_thread(app)
        try:
            http = VendorHttp("runsignup", server.url, HttpPolicy.for_local_simulator(), sleep=sleeps)
            with pytest.raises(VendorProtocolError, match="unexpected response shape") as caught:
                http.request_json("GET", "/Rest/race/1", RaceResponse)
            http.close()
        finally:
            server.stop()
        assert caught.value.retryable is False
        assert sleeps.waits == []


class TestOversizedBodies:
    @pytest.mark.parametrize("declare_length", [False, True])
    def test_a_50_mb_body_is_abandoned_at_the_cap(self, simulator, sleeps, declare_length) -> None:
        sim = simulator("ctlive")
        sim.fault(kind="oversized", size_bytes=50 * 1024 * 1024, declare_length=declare_length)
        started = time.monotonic()
        with (
            sim.client(sleep=sleeps) as client,
            pytest.raises(VendorProtocolError, match="larger than 10485760"),
        ):
            client.races("CT-61007")
        assert time.monotonic() - started < 5
        assert sleeps.waits == []

    def test_the_cap_applies_to_ordinary_answers_too(self, simulator) -> None:
        sim = simulator("runsignup")
        with sim.client(policy=HttpPolicy.for_local_simulator(max_body_bytes=2_000)) as client:
            assert len(client.races(RSU_EDITION)) == 2
            with pytest.raises(VendorProtocolError, match="larger than 2000"):
                list(client.registrations(RSU_EDITION, "248721"))


class TestRedirects:
    def test_redirect_to_cloud_metadata_is_refused(self, simulator, sleeps) -> None:
        sim = simulator("copernico")
        sim.fault(kind="redirect")
        with sim.client(sleep=sleeps) as client, pytest.raises(UnsafeDestinationError) as caught:
            client.races("CO-61357")
        assert "169.254.169.254" in str(caught.value)
        assert caught.value.retryable is False
        assert sleeps.waits == []

    def test_even_a_client_that_follows_redirects_never_goes_to_link_local(self, simulator) -> None:
        sim = simulator("copernico")
        sim.fault(kind="redirect")
        policy = HttpPolicy.for_local_simulator(follow_redirects=True)
        with sim.client(policy=policy) as client, pytest.raises(UnsafeDestinationError, match="link-local"):
            client.races("CO-61357")

    def test_following_client_refuses_private_targets_and_takes_allowed_ones(self, simulator) -> None:
        sim = simulator("copernico")
        policy = HttpPolicy.for_local_simulator(follow_redirects=True)
        sim.fault(kind="redirect", count=1, location="http://10.20.30.40/api/races/CO-61357")
        with sim.client(policy=policy) as client, pytest.raises(UnsafeDestinationError, match="non-public"):
            client.races("CO-61357")
        sim.fault(kind="redirect", count=1, location=f"{sim.url}/api/races/lakeside-10k-2023")
        with sim.client(policy=policy) as client:
            assert [race.external_id for race in client.races("CO-61357")] == ["248540"]


class TestDestinationPolicy:
    @pytest.mark.parametrize(
        "url",
        [
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://10.0.0.1/",
            "http://192.168.1.10/",
            "http://[::ffff:10.0.0.1]/",
            "http://100.64.0.1/",
            "ftp://example.com/",
        ],
    )
    def test_production_policy_refuses(self, url) -> None:
        with pytest.raises(UnsafeDestinationError):
            check_destination(httpx.URL(url), HttpPolicy().allowed_private_hosts, "test")

    def test_allowlist_opens_loopback_but_never_link_local(self) -> None:
        policy = HttpPolicy(allowed_private_hosts=LOCAL_SIMULATOR_HOSTS | {"169.254.169.254"})
        check_destination(httpx.URL("http://127.0.0.1:8700/"), policy.allowed_private_hosts, "test")
        with pytest.raises(UnsafeDestinationError):
            check_destination(httpx.URL("http://169.254.169.254/"), policy.allowed_private_hosts, "test")


class TestSecretsStayOutOfErrors:
    def test_query_credentials_are_not_in_messages(self, simulator) -> None:
        sim = simulator("runsignup")
        sim.fault(kind="unavailable")
        with sim.client(policy=HttpPolicy.for_local_simulator(max_attempts=1)) as client:
            with pytest.raises(VendorUnavailable) as caught:
                client.races(RSU_EDITION)
        text = str(caught.value)
        assert RSU_RACE_PATH in text
        assert "sim-rsu-secret" not in text
        assert "sim-rsu-key" not in text

    def test_auth_failures_name_no_password(self, simulator) -> None:
        sim = simulator("ctlive")
        with (
            sim.client(credentials={"password": "hunter2"}) as client,
            pytest.raises(VendorAuthError) as caught,
        ):
            client.races("CT-61007")
        assert "hunter2" not in str(caught.value)
        assert "user_pass" not in str(caught.value)
