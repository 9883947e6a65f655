"""Conflicts are shown with dates in the house form, whatever form the bundle holds them in."""

from __future__ import annotations

from auditapp.services.sync.labels import when_words


def test_snapshot_dates_and_times_read_as_people_write_them() -> None:
    assert when_words("audit_date", "2026-03-01") == "1 Mar 2026"
    assert when_words("due_date", "2026-12-25") == "25 Dec 2026"
    assert when_words("submitted_at", "2026-03-01T09:05:00.123456") == "1 Mar 2026 09:05 UTC"


def test_other_fields_and_odd_values_stay_as_they_are() -> None:
    assert when_words("evidence", "2026-03-01") == "2026-03-01"
    assert when_words("audit_date", "soon") == "soon"
    assert when_words("audit_date", None) == "None"
