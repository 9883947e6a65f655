"""auditapp: offline case file audits of care leavers' pathway plans."""
from __future__ import annotations

__version__ = "0.1.0"
