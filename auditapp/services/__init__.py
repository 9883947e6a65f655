"""Use cases shared by the command line, the tests and the desktop UI. No Qt here.

Each public function is one unit of work: it opens its own session on the
:class:`~auditapp.storage.engine.Database` it is given and returns plain data.
"""
