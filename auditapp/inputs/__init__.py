"""Reading files auditapp did not write, within limits: YAML without alias bombs or deep
nesting, zip archives checked before anything is inflated, spreadsheets streamed a row at a
time. Every problem is a :class:`~auditapp.errors.UserError` naming the file and the place;
the limits are those of :mod:`auditapp.rules.limits`."""
