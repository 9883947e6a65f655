"""The template library as lists show it: every template version with its size and use.

Read as SQL text on a plain connection, so that ``auditapp templates list`` loads no ORM
(:meth:`~auditapp.storage.engine.Database.reading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, DateTime, text

from auditapp.storage.engine import Database


@dataclass(frozen=True)
class TemplateRow:
    """One template version as lists show it."""

    id: int
    key: str
    version: int
    title: str
    sections: int
    questions: int
    audits: int
    retired: bool
    imported_at: datetime


_TEMPLATES = """
SELECT templates.id, templates.key, templates.version, templates.title, questions.s,
       questions.n, coalesce(audits.n, 0) AS audits, templates.retired, templates.imported_at
FROM templates
JOIN (SELECT sections.template_id, count(questions.id) AS n,
             count(DISTINCT sections.id) AS s
      FROM sections JOIN questions ON questions.section_id = sections.id
      GROUP BY sections.template_id) AS questions ON questions.template_id = templates.id
LEFT OUTER JOIN (SELECT template_id, count(*) AS n FROM audits GROUP BY template_id) AS audits
  ON audits.template_id = templates.id
{where}
ORDER BY templates.key, templates.version DESC
"""


def list_templates(db: Database, include_retired: bool = True) -> list[TemplateRow]:
    """Every template version, newest version of each template first."""
    where = "" if include_retired else "WHERE templates.retired = :no"
    query = text(_TEMPLATES.format(where=where)).columns(retired=Boolean, imported_at=DateTime)
    with db.reading() as connection:
        return [TemplateRow(*row) for row in connection.execute(query, {"no": False})]
