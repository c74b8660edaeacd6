"""The VAPID key pair that signs Web Push requests (RFC 8292), generated once and kept under RACEHUB_HOME.

The private key lives in `RACEHUB_HOME/vapid_private.pem` (mode 0600, never logged or served); browsers get
the public key (`GET /v1/push/config`) as the `applicationServerKey` of their subscription, so it must not
change while subscriptions exist: keep the file with the rest of the home folder.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

FILE = "vapid_private.pem"


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Vapid()
    key.generate_keys()
    try:
        # O_EXCL: two processes starting together keep whichever key was written first.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_pem())


@lru_cache(maxsize=8)
def load(home: Path) -> Vapid:
    """The home's VAPID key, created on first use."""
    path = Path(home) / FILE
    if not path.exists():
        _create(path)
    return Vapid.from_file(str(path))


def public_key(vapid: Vapid) -> str:
    """The public key as browsers take it: the uncompressed P-256 point, base64url without padding."""
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
