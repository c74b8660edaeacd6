"""Generated files (CSV reports): stored under RACEHUB_HOME, handed out by short-lived signed URLs.

A file's link is signed once, when the file is made, and lives `ttl_s`; after that nobody can download
it, so it is deleted (names and mailing addresses are not kept longer than they can be used). Erasing
a participant deletes at once every file that names them."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
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


def _names_in_one_row(text: str, pairs: list[tuple[re.Pattern[str], re.Pattern[str]]]) -> bool:
    """Whether one CSV row holds both the first and the last name of one of `pairs`."""
    if not pairs:
        return False
    for row in csv.reader(io.StringIO(text)):
        cells = "\t".join(row)
        if any(first.search(cells) and last.search(cells) for first, last in pairs):
            return True
    return False


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
        self.public_url = (settings.public_url or "").rstrip("/")  # links start with it (RACEHUB_PUBLIC_URL)

    def save(self, name: str, content: str, media_type: str = "text/csv") -> StoredFile:
        if not SAFE_NAME.match(name):
            raise ValueError(f"unsafe file name {name!r}")
        self.prune()
        token = secrets.token_urlsafe(16)
        folder = self.root / token
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return StoredFile(token, name, path, media_type)

    def _folders(self) -> Iterator[Path]:
        """One folder per stored file (its token)."""
        if self.root.is_dir():
            yield from (folder for folder in self.root.iterdir() if folder.is_dir())

    def prune(self, *, now: float | None = None) -> int:
        """Delete the files whose links have expired (a minute's grace for clocks); how many went."""
        cutoff = (now or time.time()) - self.ttl_s - 60
        expired = [folder for folder in self._folders() if folder.stat().st_mtime < cutoff]
        for folder in expired:
            shutil.rmtree(folder, ignore_errors=True)
        return len(expired)

    def forget(self, needles: Iterable[str], names: Iterable[tuple[str, str]] = ()) -> int:
        """Delete every stored file that holds one of `needles` (an email, a phone, a full name) or, in
        one row, both halves of one of `names` (first, last: a CSV has them in cells of their own), as
        whole words, case ignored; how many went. A first name in one row and the last name in another
        are two other people."""

        def word(text: str) -> re.Pattern[str]:
            return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)

        wanted = [word(n) for n in needles if n]
        pairs = [(word(first), word(last)) for first, last in names if first and last]
        gone = 0
        for folder in list(self._folders()):
            for path in folder.iterdir():
                text = path.read_text(encoding="utf-8", errors="replace")
                if any(w.search(text) for w in wanted) or _names_in_one_row(text, pairs):
                    shutil.rmtree(folder, ignore_errors=True)
                    gone += 1
                    break
        return gone

    def _signature(self, token: str, name: str, expires: int) -> str:
        return hmac.new(self.key, f"{token}/{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, stored: StoredFile, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.ttl_s)
        sig = self._signature(stored.token, stored.name, expires)
        return f"{self.public_url}/v1/files/{stored.token}/{stored.name}?expires={expires}&signature={sig}"

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
