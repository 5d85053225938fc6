"""The Ed25519 key that signs checkpoints, and the public keys whose checkpoints are trusted.

The private key is kept outside the database: ``INTEGRITY_SIGNING_KEY`` (or, better, a file
named by ``INTEGRITY_SIGNING_KEY_FILE``; ``core.env.env_secret``) holds it as PEM (PKCS #8, what
``manage.py integrity_keygen`` writes) or as the base64 of its 32 raw bytes. Someone who can
write to the database but cannot read that file cannot sign. ``INTEGRITY_TRUSTED_KEYS`` lists
other instances' public keys (base64 of the 32 raw bytes, comma-separated), whose checkpoints
this instance imports; its own public key is always trusted.

A key is named by its id: the first 16 hex digits of the SHA-256 of its raw public bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The key's id: 16 hex digits of the SHA-256 of its raw public bytes."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def public_key_text(key: Ed25519PublicKey) -> str:
    """The public key as another instance's ``INTEGRITY_TRUSTED_KEYS`` lists it."""
    return base64.b64encode(_raw_public(key)).decode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from the base64 of its 32 raw bytes; ``ValueError`` otherwise."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def load_private_key(text: str) -> Ed25519PrivateKey:
    """A private key from PEM (PKCS #8) or from the base64 of its 32 raw bytes; ``ValueError``
    otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("not a readable PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("neither PEM nor base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def signing_key() -> Ed25519PrivateKey | None:
    """This instance's signing key, or None when none is configured.

    Raises ``ImproperlyConfigured`` when one is configured but cannot be read, so that a bad
    key fails loudly instead of leaving the ledger without checkpoints unnoticed.
    """
    text = getattr(settings, "INTEGRITY_SIGNING_KEY", "") or ""
    if not text.strip():
        return None
    try:
        return load_private_key(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"INTEGRITY_SIGNING_KEY: {exc}") from exc


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """The public keys whose signatures this instance accepts, by key id: its own and those
    of ``INTEGRITY_TRUSTED_KEYS``. Raises ``ImproperlyConfigured`` for a malformed entry."""
    keys: dict[str, Ed25519PublicKey] = {}
    own = signing_key()
    if own is not None:
        public = own.public_key()
        keys[key_id(public)] = public
    for entry in getattr(settings, "INTEGRITY_TRUSTED_KEYS", []) or []:
        try:
            public = parse_public_key(entry)
        except ValueError as exc:
            raise ImproperlyConfigured(f"INTEGRITY_TRUSTED_KEYS: {entry!r}: {exc}") from exc
        keys[key_id(public)] = public
    return keys


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    """The base64 Ed25519 signature of ``data``."""
    return base64.b64encode(key.sign(data)).decode()


def signature_valid(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    """True when ``signature`` (base64) is ``public``'s signature of ``data``."""
    try:
        public.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def generate_key() -> tuple[bytes, str]:
    """A new key: its PEM (PKCS #8, unencrypted: protect the file) and its public key text."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, public_key_text(key.public_key())
