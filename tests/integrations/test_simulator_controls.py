"""The simulators' own knobs: faults given at construction, the `/__control` endpoint, vendor choice."""

from __future__ import annotations

import httpx
import pytest

from racehub.errors import InvalidInput
from racehub.integrations.base import VendorUnavailable
from racehub.integrations.http import HttpPolicy
from racehub.integrations.simulators import create_simulator_app
from racehub.integrations.simulators.kit import Fault
from tests.integrations.conftest import BUNDLE_DIR


class TestConstructorFaults:
    def test_faults_passed_at_construction_apply_from_the_first_request(self, simulator, sleeps) -> None:
        sim = simulator("copernico", faults=[Fault(kind="rate_limit", retry_after=4, count=1)])
        with sim.client(sleep=sleeps) as client:
            assert [race.external_id for race in client.races("CO-61357")] == ["248540"]
        assert sleeps.waits == [4.0]

    def test_path_prefix_limits_a_fault(self, simulator, sleeps) -> None:
        sim = simulator("runsignup", faults=[Fault(kind="unavailable", path_prefix="/Rest/race/103021")])
        policy = HttpPolicy.for_local_simulator(max_attempts=2)
        with sim.client(sleep=sleeps, policy=policy) as client:
            assert len(client.races("104887")) == 2
            with pytest.raises(VendorUnavailable):
                client.races("103021")


class TestControlEndpoint:
    def test_unknown_fields_cannot_be_changed(self, simulator) -> None:
        sim = simulator("runsignup")
        answer = httpx.post(
            f"{sim.url}/__control/registrations/9230827", json={"changes": {"dob": "2000-01-01"}}
        )
        assert answer.status_code == 422

    def test_only_the_vendors_own_registrations_can_be_changed(self, simulator) -> None:
        sim = simulator("raceroster")
        answer = httpx.post(f"{sim.url}/__control/registrations/9230827/remove")  # a RunSignUp registration
        assert answer.status_code == 404

    def test_results_vendors_take_no_registration_changes(self, simulator) -> None:
        sim = simulator("ctlive")
        answer = httpx.post(f"{sim.url}/__control/registrations/9100004", json={"changes": {"team": "x"}})
        assert answer.status_code == 404

    def test_faults_can_be_cleared_and_control_calls_are_not_counted(self, simulator) -> None:
        sim = simulator("ctlive")
        sim.fault(kind="html")
        httpx.delete(f"{sim.url}/__control/faults").raise_for_status()
        with sim.client() as client:
            assert len(client.races("CT-61007")) == 3
        assert sim.requests_to("/") == 1


class TestVendorChoice:
    def test_unknown_vendor_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="unknown provider 'athlinks'; expected one of runsignup"):
            create_simulator_app("athlinks", BUNDLE_DIR)
