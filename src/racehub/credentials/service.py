"""Storing, reading and rotating vendor credentials. Values are never logged, returned by the API, put
in job arguments or shown to an LLM: only `load` returns them, to the code that builds a vendor client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from racehub.credentials import repository
from racehub.credentials.crypto import Keyring, Secrets
from racehub.credentials.repository import StoredCredential
from racehub.errors import Conflict, InvalidInput, OrganizationNotFound
from racehub.integrations import registry


class CredentialsNotConfigured(Conflict):
    """The tenant has stored no credentials for a provider a workflow needs."""


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    key_id: str


def required_fields(provider: str) -> tuple[str, ...]:
    """The fields a provider's client needs to log in (InvalidInput for an unknown provider)."""
    return registry.get(provider).required_fields


def store(session: Session, keyring: Keyring, org_id: int, provider: str, values: Mapping[str, str]) -> None:
    """Encrypt and store (replace) a tenant's credentials for `provider`."""
    vendor = registry.get(provider)
    missing = [name for name in vendor.required_fields if not values.get(name, "").strip()]
    if missing:
        raise InvalidInput(f"{provider} credentials need {', '.join(missing)}")
    unknown = sorted(set(values) - set(vendor.fields))
    if unknown:
        raise InvalidInput(f"{provider} takes no field(s) {', '.join(unknown)}")
    cleaned = {name: value.strip() for name, value in values.items() if value.strip()}
    address = cleaned.get(registry.BASE_URL_FIELD)
    if address is not None:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise InvalidInput(f"{registry.BASE_URL_FIELD} must be an http(s) address such as https://host")
    repository.upsert(
        session, org_id, provider, sorted(cleaned), keyring.encrypt(cleaned), keyring.primary_id
    )


def load(session: Session, keyring: Keyring, org_id: int, provider: str) -> Secrets:
    """The decrypted fields, for building a vendor client (row-level security scopes the read)."""
    token = repository.ciphertext(session, org_id, provider)
    if token is None:
        raise CredentialsNotConfigured(
            f"no {provider} credentials stored for this timing company "
            f"(racehub credentials set --org SLUG --provider {provider})"
        )
    return keyring.decrypt(token)


def listing(session: Session, org_id: int | None = None) -> list[StoredCredential]:
    """Providers and field names per tenant: never values."""
    return repository.listing(session, org_id)


def rotate_all(session: Session, keyring: Keyring) -> RotationReport:
    """Re-encrypt every stored credential with the first key (rows locked; one transaction)."""
    rows = repository.lock_all(session)
    for org_id, provider, token in rows:
        repository.store_rotated(session, org_id, provider, keyring.rotate(token), keyring.primary_id)
    return RotationReport(rotated=len(rows), key_id=keyring.primary_id)


def remove(session: Session, org_id: int, provider: str) -> bool:
    return repository.delete(session, org_id, provider)


def org_id_for(session: Session, slug: str) -> int:
    org_id = repository.org_id_by_slug(session, slug)
    if org_id is None:
        raise OrganizationNotFound(f"no organization with slug {slug!r}")
    return org_id
