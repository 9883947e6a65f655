"""``python -m auditapp``."""

from __future__ import annotations

from auditapp.app import main

main()
