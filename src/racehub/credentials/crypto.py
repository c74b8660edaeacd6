"""The credential keyring: Fernet keys from `RACEHUB_CREDENTIAL_KEYS`, the first one encrypting (unset: a
key generated under RACEHUB_HOME, for one machine: a demo, a single server).

Rotation: put a new key first, keep the old ones after it, run `racehub credentials rotate` (every row is
re-encrypted with the first key), then drop the old keys. A key is named by a short fingerprint
(`key_id`), never by its value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from racehub.config import Settings
from racehub.errors import RaceHubError
from racehub.homefiles import private_value

HOME_KEY_FILE = "credential.key"


class CredentialKeysMissing(RaceHubError):
    """No usable key is configured: an operator must set RACEHUB_CREDENTIAL_KEYS."""

    status = 503


class CredentialsUnreadable(RaceHubError):
    """A stored ciphertext opens with none of the configured keys (a key was dropped too early)."""

    status = 503


class Secrets(Mapping[str, str]):
    """Decrypted credential fields. Its repr names the fields only, so a stray log line shows no value."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "Secrets(" + ", ".join(f"{name}=***" for name in sorted(self._values)) + ")"

    __str__ = __repr__


def key_id(key: str) -> str:
    """A fingerprint naming a key in the database and in `credentials list` (not reversible)."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:12]


def new_key() -> str:
    """A fresh Fernet key (urlsafe base64)."""
    return Fernet.generate_key().decode()


class Keyring:
    """MultiFernet over the configured keys: encrypt with the first, decrypt with any, rotate to the first."""

    def __init__(self, keys: Sequence[str]) -> None:
        cleaned = [key.strip() for key in keys if key.strip()]
        if not cleaned:
            raise CredentialKeysMissing(
                "no credential key configured: set RACEHUB_CREDENTIAL_KEYS (racehub credentials new-key)"
            )
        fernets = []
        for position, key in enumerate(cleaned, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                # Which key, by position: the value itself must never be echoed.
                raise CredentialKeysMissing(
                    f"RACEHUB_CREDENTIAL_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes)"
                ) from None
        self._multi = MultiFernet(fernets)
        self.key_ids = [key_id(key) for key in cleaned]

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        """RACEHUB_CREDENTIAL_KEYS; unset, one key generated once under RACEHUB_HOME (`credential.key`,
        owner-only), which every command and worker sharing that home uses."""
        if settings.credential_keys is None:
            return cls([private_value(Path(settings.home), HOME_KEY_FILE, new_key)])
        return cls(settings.credential_keys.get_secret_value().split(","))

    @property
    def primary_id(self) -> str:
        return self.key_ids[0]

    def encrypt(self, values: Mapping[str, str]) -> str:
        plaintext = json.dumps(dict(sorted(values.items())), separators=(",", ":"))
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> Secrets:
        try:
            document = json.loads(self._multi.decrypt(ciphertext.encode()))
        except InvalidToken:
            raise CredentialsUnreadable(
                "stored credentials open with none of the configured keys (RACEHUB_CREDENTIAL_KEYS)"
            ) from None
        return Secrets({str(name): str(value) for name, value in document.items()})

    def rotate(self, ciphertext: str) -> str:
        """The same plaintext encrypted with the first key."""
        try:
            return self._multi.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise CredentialsUnreadable(
                "stored credentials open with none of the configured keys (RACEHUB_CREDENTIAL_KEYS)"
            ) from None
