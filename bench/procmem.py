"""Memory of a running process as Linux reports it in /proc/PID/status, for the benchmarks."""

from __future__ import annotations


def status_mb(pid: int | str, field: str) -> float:
    """`field` of /proc/`pid`/status in MB: `VmHWM` (peak resident memory) or `VmRSS` (resident now); NaN when the
    field is absent (not Linux, or a process that has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
