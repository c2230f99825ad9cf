"""Mosquitto credentials: usernames for nodes, random passwords, ``$7$`` password-file hashes.

Pure functions, no I/O. The hash is Mosquitto 2's own format (PBKDF2-SHA512,
``$7$iterations$salt$hash``, base64), so the cloud writes the password file itself instead of
shelling out to ``mosquitto_passwd`` once per node.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from contracts.topics import validate_id

DEFAULT_ITERATIONS = 1000
SALT_BYTES = 12
SERVICE_PREFIX = "cloud-"


def node_username(store: str, node: str) -> str:
    """``{store}/{node}``: the broker identity of a node (never contains ``+`` or ``#``)."""
    return f"{validate_id(store, 'store')}/{validate_id(node, 'node')}"


def split_username(username: str) -> tuple[str, str] | None:
    """``demo/kiosk-1`` → ("demo", "kiosk-1"); None for service users and anything else."""
    store, sep, node = username.partition("/")
    if not sep:
        return None
    try:
        return validate_id(store, "store"), validate_id(node, "node")
    except ValueError:
        return None


def service_username(name: str) -> str:
    """Cloud services log in as ``cloud-<name>``, which can never collide with a node."""
    base = name if name.startswith(SERVICE_PREFIX) else SERVICE_PREFIX + name
    validate_id(base, "service user")
    return base


def new_password(nbytes: int = 24) -> str:
    """URL-safe random password (192 bits by default), fit for env vars and YAML."""
    return secrets.token_urlsafe(nbytes)


def hash_password(
    password: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS
) -> str:
    """Mosquitto 2 password-file hash of ``password``."""
    raw_salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), raw_salt, iterations)
    return (
        f"$7${iterations}${base64.b64encode(raw_salt).decode()}${base64.b64encode(digest).decode()}"
    )


def verify_password(password: str, hashed: str) -> bool:
    """True when ``hashed`` (``$7$…``) is the hash of ``password``; False for anything malformed."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[0] != "" or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    if not 1 <= iterations <= 10_000_000:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return hmac.compare_digest(digest, expected)
