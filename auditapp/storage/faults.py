"""A test-only hook that ends the process abruptly at a chosen step of a long operation.

The crash-safety tests set ``AUDITAPP_STOP_AT=<operation>:<n>`` (for example
``restore:3``) and run a command in a child process: when that operation reaches its
``n``-th step boundary, the process ends at once through :func:`os._exit`, as a power cut or
a kill would end it (no ``finally`` blocks, no clean-up, files as they are on disk). The next
start must then find the old state or the new one. Unset, as it always is in normal use,
:func:`step` does nothing.

The operations and their steps are those of :mod:`auditapp.storage.operations` and of
opening a database (``create``, ``migrate``), restoring (``restore``), encrypting
(``encrypt``, ``confirm``), changing the passphrase (``rekey``) and backing up
(``backup``).
"""

from __future__ import annotations

import os
import sys
from collections import Counter

ENV = "AUDITAPP_STOP_AT"
#: The exit status of a process stopped by the hook, so a test can tell it from a failure.
STOPPED = 86
_reached: Counter[str] = Counter()


def step(operation: str) -> None:
    """Mark a step boundary of ``operation``; stop here if the hook asks for this one."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    _reached[operation] += 1
    name, _, number = wanted.partition(":")
    if name == operation and number.isdigit() and int(number) == _reached[operation]:
        sys.stderr.flush()
        os._exit(STOPPED)
