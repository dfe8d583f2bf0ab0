"""vaultd: the vault service. It logs every request and, at shutdown, seals the vault with a
fresh key (see seal()). The payload of a container holds the service's log and the sealed vault:
{"token": ..., "service_log": ..., "vault_nonce": hex, "vault": base64}.
"""

import base64
import os
import random

from vaultbox import stream_xor


class Service:
    def __init__(self) -> None:
        # One generator for the whole process, seeded from the OS (256 bits): not guessable.
        self.rng = random.Random(int.from_bytes(os.urandom(32), "big"))
        self.log: list[str] = []

    def handle(self, kind: str) -> None:
        n = len(self.log) + 1
        if kind == "GET":
            rid = self.rng.getrandbits(12)  # short request ids are easier to read in the log
            self.log.append(f"{n:05d} GET rid={rid:03x}")
        elif kind == "RETRY":
            delay = 0.05 + self.rng.random() / 10  # jittered back-off, not logged
            self.log.append(f"{n:05d} RETRY")
        else:
            self.log.append(f"{n:05d} PING")

    def seal(self, vault: bytes) -> tuple[bytes, bytes]:
        """Encrypt the vault with a fresh key from the service's generator."""
        key = self.rng.randbytes(32)
        nonce = os.urandom(16)
        return nonce, stream_xor(key, nonce, vault)


def payload(token: str, service: Service, vault: bytes) -> dict:
    nonce, sealed = service.seal(vault)
    return {
        "token": token,
        "service_log": "\n".join(service.log) + "\n",
        "vault_nonce": nonce.hex(),
        "vault": base64.b64encode(sealed).decode(),
    }
