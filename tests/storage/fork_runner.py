"""The process that starts auditapp commands for the kill tests, without paying for the imports
each time (POSIX only: it forks).

``python -m tests.storage.fork_runner`` imports the command line and what its commands load
once, then reads one JSON request a line on stdin::

    {"argv": [...], "env": {...}, "cwd": "...", "kill_after": 1.5 or null, "limit": 300}

and for each forks a child that runs ``auditapp <argv>`` as ``python -m auditapp`` would
(stdin empty, the ``AUDITAPP_*`` environment replaced by ``env``), so the child is a real
process that ends as one: through the step hook's ``os._exit``
(:mod:`auditapp.storage.faults`), through ``SIGKILL`` sent from here once ``kill_after``
seconds have passed, or with its exit status. It replies with one JSON line::

    {"status": 0, "stdout": "...", "stderr": "...", "killed": false}

A child still running after ``limit`` seconds is killed and reported with status null.
Forking saves the 2 to 3 seconds of imports that each of the hundred or so commands the kill
tests run would otherwise take on a busy machine.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback
from typing import IO, Any

# What the commands under test import when they run: imported once, here, before any fork.
import alembic.command  # noqa: F401

import auditapp.services.maintenance  # noqa: F401
import auditapp.services.users  # noqa: F401
import auditapp.storage.encryption  # noqa: F401
from auditapp.cli.main import main_cli


def _child(request: dict[str, Any], out: IO[bytes], err: IO[bytes]) -> None:
    """Become the command: never returns."""
    status = 70
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        for name in [n for n in os.environ if n.startswith("AUDITAPP_")]:
            del os.environ[name]
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        status = main_cli(request["argv"])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException:  # noqa: BLE001 - reported to the test as a traceback
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _wait(pid: int, kill_after: float | None, limit: float) -> tuple[int | None, bool]:
    """The child's exit status (None past ``limit``) and whether it was killed."""
    started = time.monotonic()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        elapsed = time.monotonic() - started
        if (kill_after is not None and elapsed >= kill_after) or elapsed >= limit:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return (-signal.SIGKILL if elapsed < limit else None), True
        time.sleep(0.005)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Run one command in a forked child; its status, output and whether it was killed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            _child(request, out, err)
        status, killed = _wait(pid, request.get("kill_after"), float(request["limit"]))
        out.seek(0)
        err.seek(0)
        return {"status": status, "killed": killed,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def main() -> None:
    """Serve requests until stdin closes."""
    print("ready", flush=True)
    while line := sys.stdin.readline():
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
