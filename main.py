"""Start auditapp from a source checkout: ``python main.py [--db PATH] [COMMAND]``."""

from __future__ import annotations

from auditapp.app import main

if __name__ == "__main__":
    main()
