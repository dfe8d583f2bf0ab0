"""Writing an attempt's transcript to the database while it runs, so it can be read live.

`LiveTranscript` is the `listener` of `workers.transcript.Transcript`: each event is queued as it
happens and a background thread appends the queue to `transcript_events` (run, attempt, seq) at
most `flush_interval_s` later, and at once when the attempt ends (`close`). The attempt never waits
on the database: a write that fails (the database restarting, a lock) is retried with a growing
pause, its events kept in memory meanwhile, and no error reaches the attempt. Appends are
idempotent (`core.services.transcript_append`): a batch retried after a commit whose answer was
lost, and the full transcript written again with the attempt's result, store each event once.
See docs/architecture.md (transcripts).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from core.db import session_scope
from core.services.transcript_append import append_events
from core.settings import Settings

log = logging.getLogger(__name__)

# The longest an event waits before it is written (the run page polls every 2 s).
FLUSH_INTERVAL_S = 1.0
# Pauses between tries of a failed write: from the first, doubling, up to the last.
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 5.0

Listener = Callable[[dict[str, Any]], None]


class LiveTranscript:
    """Appends one attempt's events to the database in batches from a background thread."""

    def __init__(
        self,
        run_id: int,
        attempt: int,
        settings: Settings,
        *,
        forward: Listener | None = None,
        flush_interval_s: float = FLUSH_INTERVAL_S,
        close_timeout_s: float | None = None,
    ) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self._settings = settings
        self._forward = forward
        self._flush_interval_s = flush_interval_s
        # As long as a result write retries (workers.run_executor._retrying_db): past that the run
        # is presumed dead anyway, and the result write (which holds every event) says so.
        self._close_timeout_s = settings.stale_after_s if close_timeout_s is None else close_timeout_s
        self._pending: list[tuple[int, dict[str, Any]]] = []
        self._written = 0
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"transcript-{run_id}-{attempt}", daemon=True)
        self._thread.start()

    @property
    def written(self) -> int:
        """Events written so far."""
        return self._written

    @property
    def pending(self) -> int:
        """Events queued and not yet written."""
        with self._wake:
            return len(self._pending)

    def __call__(self, event: dict[str, Any]) -> None:
        """Queue one event (the `Transcript` listener); then pass it on to `forward`."""
        seq = event.get("seq")
        if isinstance(seq, int):
            with self._wake:
                self._pending.append((seq, event))
                self._wake.notify()
        if self._forward is not None:
            self._forward(event)

    def close(self) -> bool:
        """Write what is queued now and stop; True when every event was written. Waits at most
        the close timeout for a database that is down (then the events are only in memory)."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(self._close_timeout_s + self._flush_interval_s + 1)
        left = self.pending
        if left:
            log.warning(
                "run %s attempt %s: %d live transcript events not written",
                self.run_id,
                self.attempt,
                left,
            )
        return left == 0

    def _run(self) -> None:
        deadline: float | None = None
        pause = RETRY_FIRST_S
        while True:
            with self._wake:
                # Wait for a first event, then up to the flush interval for more (or the close).
                while not self._pending and not self._closing:
                    self._wake.wait()
                if not self._closing:
                    self._wake.wait(self._flush_interval_s)
                batch = list(self._pending)
                closing = self._closing
            if not batch:
                return
            if closing and deadline is None:
                deadline = time.monotonic() + self._close_timeout_s
            if self._write(batch):
                pause = RETRY_FIRST_S
                with self._wake:
                    del self._pending[: len(batch)]
                continue
            if deadline is not None and time.monotonic() + pause > deadline:
                return
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MAX_S)

    def _write(self, batch: list[tuple[int, dict[str, Any]]]) -> bool:
        try:
            with session_scope(self._settings) as session:
                append_events(session, self.run_id, self.attempt, batch)
        except Exception as exc:  # any failure: the events stay queued and the attempt goes on
            first_line = str(exc).split("\n")[0]
            log.warning(
                "run %s attempt %s: transcript events not written yet (%d queued): %s",
                self.run_id,
                self.attempt,
                len(batch),
                first_line,
            )
            return False
        self._written += len(batch)
        return True


@contextmanager
def live_transcript(
    run_id: int, attempt: int, settings: Settings, forward: Listener | None = None
) -> Iterator[LiveTranscript]:
    """A `LiveTranscript` for the block, closed (its queue written) however the block ends."""
    writer = LiveTranscript(run_id, attempt, settings, forward=forward)
    try:
        yield writer
    finally:
        writer.close()
