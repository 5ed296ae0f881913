"""The department's Ed25519 key: it signs verification letters, anyone checks them offline.

The private key is a PEM file named by ``BANGDIEM_SIGNING_KEY_FILE`` (made by ``bangdiem keys
generate``, kept out of the repository, mode 0600).  When the setting is empty the service
makes a key once in ``BANGDIEM_DATA_DIR/signing-key.pem`` and says so in its log: enough for a
demonstration, not for production (a key that lives beside the data is lost or copied with it).

What is signed is a canonical JSON text (keys sorted, no spaces, UTF-8); the signature covers
those exact bytes, so a letter carries the bytes themselves and no re-serialisation is needed to
check it.  A key is named by its ``key_id``: the first 16 hex digits of the SHA-256 of the raw
32-byte public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from records.settings import Settings

ALGORITHM = "Ed25519"
DEMO_KEY_NAME = "signing-key.pem"
log = logging.getLogger(__name__)
_lock = threading.Lock()


class SigningKeyError(Exception):
    """A key file that cannot be used; ``str()`` is the Vietnamese message."""


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    @property
    def public_pem(self) -> str:
        return public_pem(self.public)

    def sign(self, message: bytes) -> str:
        """The signature of ``message``, base64."""
        return base64.b64encode(self.private.sign(message)).decode()


def write_new_key(path: Path) -> SigningKey:
    """Make a new key and write it to ``path`` (mode 0600); refuse to replace a file."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FileExistsError(path)
    # Written whole under a temporary name, then linked in: another process never reads half
    # a key, and of two processes racing to make one, the second gets FileExistsError.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return SigningKey(private)


def read_private_key(path: Path) -> SigningKey:
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise SigningKeyError(f"Không đọc được tệp khóa {path}: {error.strerror}") from error
    except (ValueError, TypeError) as error:
        raise SigningKeyError(f"Tệp {path} không phải khóa bí mật PEM dùng được.") from error
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"Khóa trong {path} không phải khóa Ed25519.")
    return SigningKey(loaded)


def read_public_key(path: Path) -> Ed25519PublicKey:
    """A public key PEM file, or the public half of a private key PEM file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"Không đọc được tệp khóa {path}: {error.strerror}") from error
    try:
        loaded: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            loaded = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as error:
            raise SigningKeyError(f"Tệp {path} không phải khóa công khai PEM.") from error
    if not isinstance(loaded, Ed25519PublicKey):
        raise SigningKeyError(f"Khóa trong {path} không phải khóa Ed25519.")
    return loaded


def key_path(settings: Settings) -> Path:
    if settings.signing_key_file:
        return Path(settings.signing_key_file).expanduser()
    return settings.data_dir / DEMO_KEY_NAME


def load_signing_key(settings: Settings) -> SigningKey:
    """The configured key; with no key configured, the demo key (made the first time)."""
    path = key_path(settings)
    if settings.signing_key_file:
        return read_private_key(path)
    with _lock:
        if not path.exists():
            try:
                key = write_new_key(path)
            except FileExistsError:  # another process made it first
                return read_private_key(path)
            log.warning(
                "Chưa cấu hình BANGDIEM_SIGNING_KEY_FILE: đã tạo khóa ký trình diễn %s "
                "(mã khóa %s). Khi triển khai thật, hãy tạo khóa bằng `bangdiem keys generate`.",
                path,
                key.key_id,
            )
            return key
    return read_private_key(path)


def local_public_key(settings: Settings) -> Ed25519PublicKey:
    """The public half of the configured key, without making one."""
    path = key_path(settings)
    if not path.exists():
        raise SigningKeyError(
            f"Chưa có khóa ký ({path}); hãy chỉ định khóa công khai bằng --public-key."
        )
    return read_private_key(path).public


def verify(public_key: Ed25519PublicKey, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        public_key.verify(signature, message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
