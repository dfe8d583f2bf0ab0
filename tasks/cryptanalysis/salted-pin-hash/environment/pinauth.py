"""PIN check for the door-access kiosk (excerpt). The kiosk stores no PINs, only salted hashes."""

import hashlib
import hmac

ROUNDS = 3


def pin_hash(salt_hex: str, pin: str) -> str:
    """Hex digest stored in users.db for this salt and PIN (a PIN is exactly six digits)."""
    digest = (salt_hex + pin).encode()
    for _ in range(ROUNDS):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


def check(line: str, pin: str) -> bool:
    """line is one users.db record: user:salt_hex:hash_hex."""
    _user, salt_hex, stored = line.strip().split(":")
    return hmac.compare_digest(pin_hash(salt_hex, pin), stored)
