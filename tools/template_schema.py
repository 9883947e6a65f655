"""Write docs/template.schema.json, the JSON Schema of the template format, from the one
definition in auditapp/checklists/schema.py (tests/checklists/test_schema.py fails until the
shipped file is the generated one).

Usage: python tools/template_schema.py
"""

from __future__ import annotations

import json
from pathlib import Path

from auditapp.checklists.schema import json_schema

TARGET = Path(__file__).resolve().parents[1] / "docs" / "template.schema.json"


def schema_text() -> str:
    """The file's text: the schema as indented JSON, ending with a newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the schema where the shipped templates point to it."""
    TARGET.write_text(schema_text(), encoding="utf-8")
    print(f"Wrote {TARGET}")


if __name__ == "__main__":
    main()
