"""The audit key ring: secrets kept *outside* the database, so write access to it is not enough
to forge the audit trail or read the webhook signing secrets.

Where the keys come from, first match wins:

* ``$CLEARANCE_AUDIT_KEY``: ``<id>:<secret>[,<id>:<secret>...]`` (for teams whose servers share
  one PostgreSQL database; keep it in the secret store that feeds the servers' environment);
* ``$CLEARANCE_AUDIT_KEY_FILE``, else ``audit.keys`` in the data directory: one ``<id> <secret>``
  per line (``#`` comments allowed). Created with mode 0600 on first use; a file that others can
  read is refused.

Secrets are URL-safe base64 of at least 32 random bytes. The **last** key is the current one:
new audit events are signed with it and new webhook secrets are encrypted with it. Rotation adds
a key at the end (``clearance audit rotate-key``, or a new ``id:secret`` at the end of the
variable); the next event starts a new segment of the chain under the new id. Old keys must be
kept: events and secrets written under them are verified and decrypted with them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clearance.config import home
from clearance.errors import ClearanceError

ENV_KEYS = "CLEARANCE_AUDIT_KEY"
ENV_FILE = "CLEARANCE_AUDIT_KEY_FILE"
FILE_NAME = "audit.keys"
MIN_SECRET_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_ENCRYPTED = "enc:v1:"


class AuditKeyError(ClearanceError):
    """The key ring is missing, unreadable, badly formed or lacks a key that is needed."""


@dataclass(frozen=True, slots=True)
class KeyRing:
    """Named secrets in order of creation; the last one signs and encrypts."""

    keys: tuple[tuple[str, bytes], ...]
    source: str

    @property
    def current_id(self) -> str:
        return self.keys[-1][0]

    def secret(self, key_id: str) -> bytes:
        for name, value in self.keys:
            if name == key_id:
                return value
        raise AuditKeyError(
            f"audit key {key_id!r} is not in {self.source}; old keys must be kept after a "
            "rotation (they verify the events and decrypt the secrets written under them)"
        )

    def mac(self, key_id: str, message: str) -> str:
        """HMAC-SHA256 of ``message`` under key ``key_id``, hex."""
        return hmac.new(self.secret(key_id), message.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        """``enc:v1:<key id>:<base64 nonce+ciphertext>``, AES-256-GCM under the current key."""
        key_id = self.current_id
        nonce = os.urandom(12)
        sealed = AESGCM(self._cipher_key(key_id)).encrypt(
            nonce, plaintext.encode("utf-8"), key_id.encode()
        )
        return f"{_ENCRYPTED}{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        """The plaintext of :meth:`encrypt`'s output (the key named in it must be in the ring)."""
        if not is_encrypted(stored):
            raise AuditKeyError("the stored value is not encrypted")
        key_id, _, data = stored[len(_ENCRYPTED) :].partition(":")
        raw = base64.urlsafe_b64decode(data.encode())
        try:
            plain = AESGCM(self._cipher_key(key_id)).decrypt(raw[:12], raw[12:], key_id.encode())
        except Exception as exc:  # cryptography raises InvalidTag without a message
            raise AuditKeyError(f"cannot decrypt a value sealed under key {key_id!r}") from exc
        return plain.decode("utf-8")

    def _cipher_key(self, key_id: str) -> bytes:
        """A separate key for encryption, derived from the MAC key (never the same bytes)."""
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"clearance secrets v1"
        ).derive(self.secret(key_id))


def is_encrypted(value: str) -> bool:
    return value.startswith(_ENCRYPTED)


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(MIN_SECRET_BYTES)).decode().rstrip("=")


def new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def key_file() -> Path:
    """Where the file-based key ring lives."""
    configured = os.environ.get(ENV_FILE)
    return Path(configured) if configured else home() / FILE_NAME


def load(*, create: bool = False) -> KeyRing | None:
    """The key ring, or ``None`` when there is none yet (and ``create`` is false)."""
    spec = os.environ.get(ENV_KEYS, "").strip()
    if spec:
        return _cached(ENV_KEYS, spec)
    path = key_file()
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            return None
        _write_new(path)
        info = path.stat()
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(
            f"audit key file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run: chmod 600 {path}"
        )
    return _cached(str(path), f"{info.st_mtime_ns}:{info.st_size}")


def require(*, create: bool = True) -> KeyRing:
    """The key ring; created (file, 0600) on first use when ``create``."""
    ring = load(create=create)
    if ring is None:
        raise AuditKeyError(
            f"no audit key: set {ENV_KEYS} or provide the key file {key_file()} "
            "(it must hold the keys the trail was signed with)"
        )
    return ring


def rotate() -> str:
    """Append a new key to the key file; returns its id. Refused when keys come from the env."""
    if os.environ.get(ENV_KEYS, "").strip():
        raise AuditKeyError(
            f"the audit keys come from {ENV_KEYS}: append ',<id>:<secret>' to it on every server "
            "(keep the old keys)"
        )
    require(create=True)
    path = key_file()
    key_id = new_key_id()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{key_id} {new_secret()}\n")
    return key_id


_CACHE: dict[tuple[str, str], KeyRing] = {}


def _cached(source: str, stamp: str) -> KeyRing:
    """Parse each source once per content (the file's mtime and size, or the variable's text)."""
    ring = _CACHE.get((source, stamp))
    if ring is None:
        ring = _parse_env(stamp) if source == ENV_KEYS else _parse_file(Path(source))
        _CACHE.clear()
        _CACHE[(source, stamp)] = ring
    return ring


def _parse_env(spec: str) -> KeyRing:
    pairs = []
    for number, item in enumerate(spec.split(","), start=1):
        key_id, sep, value = item.strip().partition(":")
        if not sep:
            raise AuditKeyError(f"{ENV_KEYS}: entry {number} is not <id>:<secret>")
        pairs.append(_key(key_id, value, f"{ENV_KEYS} entry {number}"))
    return _ring(pairs, ENV_KEYS)


def _parse_file(path: Path) -> KeyRing:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split()
        if len(parts) != 2:
            raise AuditKeyError(f"{path}, line {number}: expected '<id> <secret>'")
        pairs.append(_key(parts[0], parts[1], f"{path}, line {number}"))
    return _ring(pairs, str(path))


def _key(key_id: str, value: str, where: str) -> tuple[str, bytes]:
    if not _KEY_ID.match(key_id):
        raise AuditKeyError(f"{where}: key id {key_id!r} must be 1-40 letters, digits, '_.-'")
    try:
        secret = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise AuditKeyError(f"{where}: the secret is not URL-safe base64") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise AuditKeyError(f"{where}: the secret must hold at least {MIN_SECRET_BYTES} bytes")
    return key_id, secret


def _ring(pairs: list[tuple[str, bytes]], source: str) -> KeyRing:
    if not pairs:
        raise AuditKeyError(f"{source} holds no key")
    ids = [key_id for key_id, _ in pairs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AuditKeyError(f"{source}: key id {duplicates[0]!r} appears twice")
    return KeyRing(tuple(pairs), source)


def _write_new(path: Path) -> None:
    """Create the key file with one key, readable by its owner only.

    Written to a temporary file and linked into place, so a concurrent first use never reads a
    half-written file and the first writer's key wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(
                "# Clearance audit keys: keep this file outside the database and back it up.\n"
                "# The last key signs new audit events; never delete old keys.\n"
                f"{new_key_id()} {new_secret()}\n"
            )
        with contextlib.suppress(FileExistsError):  # another process was first: its key wins
            os.link(temporary, path)
    finally:
        temporary.unlink()
