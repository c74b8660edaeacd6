"""Vendor integrations behind a provider-neutral interface (see `base`), plus local simulators of each vendor.

from racehub.integrations import RegistrationProvider, ResultsProvider, ScoringProvider, VendorError
from racehub.integrations.runsignup.client import RunSignUpClient
from racehub.integrations.simulators import start_simulator, simulator_client
"""

from racehub.integrations.base import (
    ExternalRace,
    Registration,
    RegistrationProvider,
    ResultRecord,
    ResultsProvider,
    ResultStatus,
    ScoringProvider,
    ScoringState,
    ScoringStatus,
    Sex,
    SplitRecord,
    UnsafeDestinationError,
    VendorAuthError,
    VendorClient,
    VendorError,
    VendorNotFound,
    VendorProtocolError,
    VendorUnavailable,
    as_local_naive,
)
from racehub.integrations.http import HttpPolicy

__all__ = [
    "ExternalRace",
    "HttpPolicy",
    "Registration",
    "RegistrationProvider",
    "ResultRecord",
    "ResultStatus",
    "ResultsProvider",
    "ScoringProvider",
    "ScoringState",
    "ScoringStatus",
    "Sex",
    "SplitRecord",
    "UnsafeDestinationError",
    "VendorAuthError",
    "VendorClient",
    "VendorError",
    "VendorNotFound",
    "VendorProtocolError",
    "VendorUnavailable",
    "as_local_naive",
]
