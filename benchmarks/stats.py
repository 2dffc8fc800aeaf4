"""Latency summaries and the machine a run was measured on, shared by every benchmark."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import percentile as nearest_rank


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of some values (`share` in 0..1), as the eval computes it."""
    return nearest_rank(values, share) or 0.0


@dataclass(frozen=True)
class Latency:
    """One load level: how many requests, how many failed, and how long they took."""

    label: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        """Requests finished per second of wall time, errors included."""
        return self.requests / self.seconds if self.seconds else 0.0


def summarise(
    label: str, concurrency: int, millis: list[float], errors: int, seconds: float
) -> Latency:
    """A `Latency` from the per-request times (in ms) of one load level."""
    if not millis:
        return Latency(label, concurrency, errors, errors, seconds, 0.0, 0.0, 0.0)
    return Latency(
        label,
        concurrency,
        len(millis) + errors,
        errors,
        seconds,
        statistics.median(millis),
        percentile(millis, 0.95),
        percentile(millis, 0.99),
    )


@dataclass(frozen=True)
class Machine:
    """What the numbers were measured on, and how busy it was (the machine may be shared)."""

    system: str
    cpu: str
    cores: int
    memory_gib: float
    python: str
    load_before: float
    load_after: float = 0.0


def describe_machine() -> Machine:
    """The machine now, with its 1-minute load average as the run starts."""
    import psutil

    return Machine(
        system=f"{platform.system()} {platform.machine()}",
        cpu=_cpu_model(),
        cores=len(os.sched_getaffinity(0)),
        memory_gib=psutil.virtual_memory().total / 2**30,
        python=platform.python_version(),
        load_before=os.getloadavg()[0],
    )


def _cpu_model() -> str:
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under `folder` (an index's size on disk)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
