"""CPU time spent by each side of a load test, read from Linux's /proc.

A throughput on two cores is bounded by the CPU each request costs in all the processes it
crosses (server, job worker, PostgreSQL, load generator): measured in the same run, that cost
says how far the rate is from what the machine can give at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name is in parentheses and may hold spaces: fields count from after it.
    return [text[text.index("(") + 1:text.rindex(")")], *text[text.rindex(")") + 2:].split()]


def _processes() -> dict[int, list[str]]:
    """The stat fields of every running process, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = _stat_fields(entry.name)
            except (OSError, ValueError):  # ended meanwhile
                continue
    return found


def process_seconds(pid: int, processes: dict[int, list[str]]) -> float:
    """User and system time of a process and its descendants, those still running (an rq
    worker's work horse of the moment) and those it has waited for."""
    ticks, family = 0, [pid]
    while family:
        current = family.pop()
        fields = processes.get(current)
        if fields is None:
            continue
        # utime, stime, cutime, cstime: fields 14–17 of proc(5), here 12–15 (name at 0).
        ticks += sum(int(value) for value in fields[12:16])
        family.extend(child for child, f in processes.items() if int(f[2]) == current)
    return ticks / TICK


def postgres_seconds(processes: dict[int, list[str]]) -> float:
    """User and system time of every running PostgreSQL process (backends, workers)."""
    return sum(int(f[12]) + int(f[13]) for f in processes.values()
               if f[0] == "postgres") / TICK


def machine_seconds() -> float:
    """Busy time of all the machine's cores (every mode but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


@dataclass(frozen=True)
class Snapshot:
    processes: dict[str, float]
    postgres: float
    machine: float


def snapshot(pids: dict[str, list[int]]) -> Snapshot:
    """CPU seconds so far of each named group of processes, PostgreSQL and the machine."""
    processes = _processes()  # one reading of /proc for the whole snapshot
    return Snapshot({name: sum(process_seconds(pid, processes) for pid in group)
                     for name, group in pids.items()},
                    postgres_seconds(processes), machine_seconds())


def per_request(before: Snapshot, after: Snapshot, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request: each group, PostgreSQL, the rest, and the total."""
    spent = {name: after.processes[name] - before.processes[name] for name in after.processes}
    spent["PostgreSQL"] = after.postgres - before.postgres
    machine = after.machine - before.machine
    spent["rest"] = max(0.0, machine - sum(spent.values()))
    spent["total"] = machine
    return {name: seconds * 1000 / max(requests, 1) for name, seconds in spent.items()}
