"""The monitoring snapshot (`core.services.monitoring`) as Prometheus gauges, in the plain-text
exposition format a scraper reads (GET /api/system/metrics). Every number of the snapshot is one
gauge; an age is 0 when nothing waits, and a queue the broker could not be asked about has no
sample (`horizon_broker_up` says why it is missing)."""

from __future__ import annotations

from core.services.monitoring import Backlog, SystemStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    # The exposition format's escapes inside a quoted label value.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    # Counts exactly (`:g` would round 12345678 to 1.23457e+07), ages to the millisecond.
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


class _Gauges:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, name: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        """One gauge: its HELP and TYPE lines, then each sample (`labels` is "" or `k="v"`)."""
        self.lines += [f"# HELP horizon_{name} {help_text}", f"# TYPE horizon_{name} gauge"]
        for labels, value in samples:
            series = f"horizon_{name}{{{labels}}}" if labels else f"horizon_{name}"
            self.lines.append(f"{series} {_number(value)}")

    def backlog(self, name: str, help_text: str, backlog: Backlog) -> None:
        """A count and the age of its oldest row, as two gauges."""
        self.add(name, help_text, [("", backlog.count)])
        age = backlog.oldest_age_s or 0.0
        self.add(
            f"{name}_oldest_age_seconds", f"seconds the oldest of {name} has waited; 0 when none", [("", age)]
        )


def prometheus_text(status: SystemStatus) -> str:
    """The snapshot as gauges named `horizon_*`, one line per sample, newline-terminated."""
    g = _Gauges()
    g.add("runs", "runs by status", [(f'status="{_label(s)}"', n) for s, n in sorted(status.runs.items())])
    g.add(
        "batches_running",
        "batches not cancelled with a queued or running run",
        [("", status.batches_running)],
    )
    g.backlog("queued_runs", "queued runs (age since created)", status.queued_runs)
    overdue = [("", float(status.overdue_queued_runs))]
    g.add("overdue_queued_runs", "queued runs whose last message is older than requeue_after_s", overdue)
    g.backlog(
        "stale_running_runs",
        "running runs whose heartbeat is older than stale_after_s",
        status.stale_running_runs,
    )
    g.backlog("scoring_waiting", "baselining attempts waiting for their scoring job", status.scoring_waiting)
    g.backlog("analyses_queued", "queued analyses", status.analyses_queued)
    g.add("analyses_running", "running analyses", [("", status.analyses_running)])
    up = 0.0 if status.broker.startswith("error") else 1.0
    g.add("broker_up", "1 when the broker answered (or the queue is in-process), else 0", [("", up)])
    known = [(f'queue="{_label(q.name)}"', q.messages) for q in status.queues if q.messages is not None]
    g.add("queue_messages", "messages waiting in each queue", [(labels, float(n)) for labels, n in known])
    if status.reserved_messages is not None:
        g.add(
            "reserved_messages",
            "messages workers hold, not yet acknowledged",
            [("", status.reserved_messages)],
        )
    return "\n".join(g.lines) + "\n"
