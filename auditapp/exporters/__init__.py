"""Exports: the Excel workbook, an audit's feedback PDF and the board pack PDF. No Qt here.

Every export is a generator of ``(done, total)`` progress. It reads the database with its
own sessions, writes to a temporary file beside the target and renames it into place only
when the file is complete; closing the generator early (Cancel) leaves nothing behind.
"""
