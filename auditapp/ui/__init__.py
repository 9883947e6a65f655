"""The desktop user interface (PySide6). The only package, with start-up, that imports Qt.

What the first screen needs that is not Qt is imported here, before any Qt module: once
PySide6 is imported it hooks every later import to read the importing module's source
(shibokensupport's ``__feature__`` switch), files read and scanned on the way to the window
(a fifth of its start-up on the machine of ``benchmarks/README.md`` when SQLAlchemy and the
services were on that way). Imported first, they are not scanned. The services, storage
and SQLAlchemy behind the rest of the app are no longer on the way to the first screen: they
load on a worker thread once it is painted (:mod:`auditapp.ui.shell.start`).
"""
from __future__ import annotations

from importlib import import_module

#: What the way to the first screen imports that is not Qt (see above).
_BEFORE_QT = (
    "auditapp.services.first_screen",
    "auditapp.services.my_work",
    "auditapp.storage.first_read",
    "auditapp.storage.instance_lock",
    "auditapp.storage.paths",
)
for _name in _BEFORE_QT:
    import_module(_name)
