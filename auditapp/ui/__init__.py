"""The desktop user interface (PySide6). The only package, with start-up, that imports Qt.

The services, storage and SQLAlchemy that the first window needs are imported here, before
any Qt module: once PySide6 is imported it hooks every later import to read the importing
module's source (shibokensupport's ``__feature__`` switch), several hundred files read and
scanned on the way to the window (a fifth of its start-up on the machine of
``benchmarks/README.md``). Imported first, they are not scanned.
"""
from __future__ import annotations

from importlib import import_module

#: What the way to the first window imports that is not Qt (see above).
_BEFORE_QT = (
    "auditapp.services.audits.editing",
    "auditapp.services.demo",
    "auditapp.services.my_work",
    "auditapp.services.settings",
    "auditapp.services.templates",
    "auditapp.services.users",
    "auditapp.storage.backups",
    "auditapp.storage.database",
)
for _name in _BEFORE_QT:
    import_module(_name)
