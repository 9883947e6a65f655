"""The process the kill test kills: saves answers through the domain services in a loop.

``python -m tests.storage.kill_worker DB AUDIT_ID`` prints ``ready``, then one line
``<number> <question id>`` for each save, only after ``save_changes`` has returned (that is,
after the commit), and never stops by itself.
"""

from __future__ import annotations

import sys
from itertools import count
from pathlib import Path

from auditapp.services.audits.editing import AnswerChange, AuditChanges, load_audit, save_changes
from auditapp.storage.database import open_database
from tests.builders import ALEX, LEAD


def main() -> None:
    """Save forever, reporting each save that returned."""
    db = open_database(Path(sys.argv[1]), backup=False)
    audit_id = int(sys.argv[2])
    first = int(sys.argv[3])
    document = load_audit(db, audit_id, LEAD)
    questions = [q for s in document.template.sections for q in s.questions
                 if q.option("Y") is not None]
    print("ready", flush=True)
    for number in count(first):
        question = questions[number % len(questions)]
        code = ("Y", "P", "N")[number % 3]
        change = AnswerChange(question.id, code, f"save {number}")
        save_changes(db, audit_id, AuditChanges(answers={question.id: change}), ALEX,
                     document.template)
        print(number, question.id, flush=True)


if __name__ == "__main__":
    main()
