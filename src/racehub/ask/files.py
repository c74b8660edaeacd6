"""Generated files (CSV reports): stored under RACEHUB_HOME, handed out by short-lived signed URLs."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from racehub.config import Settings
from racehub.errors import NotFound, Unauthorized

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def secret_key(settings: Settings) -> bytes:
    """The signing key: configured, or generated once per RACEHUB_HOME and kept private."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = Path(settings.home) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class StoredFile:
    token: str
    name: str
    path: Path
    media_type: str


class FileStore:
    def __init__(self, settings: Settings, ttl_s: int = 900) -> None:
        self.root = Path(settings.home) / "files"
        self.key = secret_key(settings)
        self.ttl_s = ttl_s

    def save(self, name: str, content: str, media_type: str = "text/csv") -> StoredFile:
        if not SAFE_NAME.match(name):
            raise ValueError(f"unsafe file name {name!r}")
        token = secrets.token_urlsafe(16)
        folder = self.root / token
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return StoredFile(token, name, path, media_type)

    def _signature(self, token: str, name: str, expires: int) -> str:
        return hmac.new(self.key, f"{token}/{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, stored: StoredFile, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.ttl_s)
        sig = self._signature(stored.token, stored.name, expires)
        return f"/v1/files/{stored.token}/{stored.name}?expires={expires}&signature={sig}"

    def open(self, token: str, name: str, expires: int, signature: str) -> Path:
        """The file behind a signed URL; Unauthorized when the signature is wrong or expired."""
        if not SAFE_NAME.match(name) or not re.fullmatch(r"[A-Za-z0-9_-]{10,64}", token):
            raise NotFound("no such file")
        expected = self._signature(token, name, expires)
        if not hmac.compare_digest(expected, signature):
            raise Unauthorized("invalid file signature")
        if expires < time.time():
            raise Unauthorized("this download link has expired; ask again for a new one")
        path = self.root / token / name
        if not path.is_file():
            raise NotFound("no such file")
        return path
