"""A crash-safe, log-structured key-value store. See the task's instructions for the contract."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Snapshot:
    def get(self, key: bytes) -> bytes | None:
        raise NotImplementedError

    def scan(self, start: bytes | None = None, end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class Store:
    def __init__(self, path: str) -> None:
        raise NotImplementedError

    def get(self, key: bytes) -> bytes | None:
        raise NotImplementedError

    def put(self, key: bytes, value: bytes) -> None:
        raise NotImplementedError

    def delete(self, key: bytes) -> None:
        raise NotImplementedError

    def write_batch(self, ops: Iterable[tuple[bytes, bytes | None]]) -> None:
        raise NotImplementedError

    def scan(self, start: bytes | None = None, end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        raise NotImplementedError

    def snapshot(self) -> Snapshot:
        raise NotImplementedError

    def compact(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
