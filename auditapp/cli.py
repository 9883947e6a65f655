"""The command line: the scripting interface for practice leads, and the app's front door.

``auditapp [--db PATH] COMMAND``; with no command the desktop app opens. A user error
prints one line (or one line per problem) to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from auditapp import __version__
from auditapp.database import open_database
from auditapp.errors import UserError
from auditapp.models import Database, Role
from auditapp.paths import default_db_path
from auditapp.services import cases, demo, maintenance, stats, templates
from auditapp.services.reporting import ReportScope
from auditapp.services.users import Actor
from auditapp.template_format import load_template_file

EXIT_USER_ERROR = 2


def cli_actor() -> Actor:
    """Who the history names for changes made from the command line."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = "unknown"
    return Actor(f"{login} (command line)", Role.PRACTICE_LEAD)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} must be 1 or more")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="auditapp", description="Case file audits of care leavers' pathway plans.")
    parser.add_argument("--version", action="version", version=f"auditapp {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help=f"database file (default: {default_db_path()})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    tpl = commands.add_parser("templates", help="list, validate and import checklist templates")
    tpl_commands = tpl.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    tpl_list = tpl_commands.add_parser("list", help="list template versions")
    tpl_list.set_defaults(handler=_templates_list)
    tpl_validate = tpl_commands.add_parser("validate", help="check template files")
    tpl_validate.add_argument("files", type=Path, nargs="+", metavar="FILE")
    tpl_validate.set_defaults(handler=_templates_validate, needs_db=False)
    tpl_import = tpl_commands.add_parser("import", help="import template files")
    tpl_import.add_argument("files", type=Path, nargs="+", metavar="FILE")
    tpl_import.set_defaults(handler=_templates_import)

    cs = commands.add_parser("cases", help="import a sample of cases")
    cs_commands = cs.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    cs_import = cs_commands.add_parser(
        "import", help="create cases and draft audits from a .xlsx or .csv file")
    cs_import.add_argument("file", type=Path, metavar="FILE")
    cs_import.add_argument("--template", default="pathway-plan-quality", metavar="ID",
                           help="template id (default: pathway-plan-quality)")
    cs_import.add_argument("--template-version", type=_positive, metavar="N",
                           help="template version (default: the newest in use)")
    cs_import.add_argument("--auditor", default="", metavar="NAME",
                           help="auditor for rows without one")
    cs_import.add_argument("--date", type=_date, metavar="D",
                           help="audit date for rows without one (default: today)")
    cs_import.set_defaults(handler=_cases_import)

    dm = commands.add_parser("demo", help="fill the database with synthetic demo audits")
    dm.add_argument("--audits", type=_positive, required=True, metavar="N")
    dm.add_argument("--seed", type=int, default=1, metavar="S")
    dm.add_argument("--years", type=float, default=2.0, metavar="Y",
                    help="spread audit dates over this many years (default: 2)")
    dm.add_argument("--end", type=_date, metavar="D", help="latest audit date (default: today)")
    dm.set_defaults(handler=_demo)

    st = commands.add_parser("stats", help="audits and overall grades in a period")
    st.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    st.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(handler=_stats)

    ck = commands.add_parser("check", help="check database integrity and schema version")
    ck.set_defaults(handler=_check)
    _add_export_commands(commands)
    return parser


def _add_export_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ex = commands.add_parser("export", help="export findings to Excel, or a PDF report")
    ex_commands = ex.add_subparsers(dest="export_command", metavar="ACTION", required=True)
    as_at = {"type": _date, "metavar": "D",
             "help": "date at which open actions count as overdue (default: today)"}
    xl = ex_commands.add_parser("excel", help="graded findings of a period to an .xlsx file")
    xl.add_argument("--out", type=Path, required=True, metavar="FILE")
    xl.add_argument("--from", dest="date_from", type=_date, metavar="D")
    xl.add_argument("--to", dest="date_to", type=_date, metavar="D")
    xl.add_argument("--team", metavar="T", help="only audits of this team")
    xl.add_argument("--template", metavar="ID", help="only audits on this template")
    xl.add_argument("--as-at", dest="as_at", **as_at)  # type: ignore[arg-type]
    xl.set_defaults(handler=_export_excel)
    ap = ex_commands.add_parser("audit-pdf", help="one audit's feedback report as a PDF")
    ap.add_argument("audit", type=_positive, metavar="AUDIT", help="the audit's number")
    ap.add_argument("--out", type=Path, required=True, metavar="FILE")
    ap.set_defaults(handler=_export_audit_pdf)
    bp = ex_commands.add_parser("board-pdf", help="the board pack for a period as a PDF")
    bp.add_argument("--out", type=Path, required=True, metavar="FILE")
    bp.add_argument("--from", dest="date_from", type=_date, metavar="D",
                    help="first day (default: six months before --to)")
    bp.add_argument("--to", dest="date_to", type=_date, metavar="D",
                    help="last day (default: today)")
    bp.add_argument("--suppress", type=int, default=5, metavar="N",
                    help="show counts below N as <N (default: 5)")
    bp.add_argument("--as-at", dest="as_at", **as_at)  # type: ignore[arg-type]
    bp.set_defaults(handler=_export_board_pdf)


# --- handlers ---------------------------------------------------------------------------------


def _templates_list(db: Database, _args: argparse.Namespace) -> int:
    rows = templates.list_templates(db)
    print(f"{'ID':<24} {'VER':>3}  {'SECTIONS':>8} {'QUESTIONS':>9} {'AUDITS':>6}  TITLE")
    for row in rows:
        retired = " (retired)" if row.retired else ""
        print(f"{row.key:<24} {row.version:>3}  {row.sections:>8} {row.questions:>9} "
              f"{row.audits:>6}  {row.title}{retired}")
    return 0


def _templates_validate(_db: None, args: argparse.Namespace) -> int:
    failures: list[str] = []
    for path in args.files:
        try:
            spec = load_template_file(path)
        except UserError as exc:
            failures.append(str(exc))
            continue
        print(f"{path}: ok ({spec.title}; {len(spec.sections)} sections, "
              f"{spec.question_count} questions)")
    if failures:
        raise UserError("\n".join(failures))
    return 0


def _templates_import(db: Database, args: argparse.Namespace) -> int:
    specs = []
    problems: list[str] = []
    for path in args.files:  # validate every file before storing any
        try:
            specs.append((load_template_file(path), path.name))
        except UserError as exc:
            problems.append(str(exc))
    if problems:
        raise UserError("\n".join(problems) + "\nNothing was imported.")
    for spec, name in specs:
        result = templates.import_template_spec(db, spec, name)
        verb = "imported as" if result.created else "unchanged, already"
        print(f"{name}: {verb} {result.key} version {result.version} "
              f"({result.questions} questions)")
    return 0


def _cases_import(db: Database, args: argparse.Namespace) -> int:
    template_id = templates.find_template_id(db, args.template, args.template_version)
    result = cases.import_cases(db, args.file, template_id, cli_actor(), args.auditor,
                                args.date)
    print(f"{args.file.name}: {result.rows} rows; {result.cases_created} new cases, "
          f"{result.cases_updated} existing cases; {result.audits_created} draft audits created")
    return 0


def _report_progress(progress: Iterator[tuple[int, int]], what: str) -> None:
    interactive = sys.stderr.isatty()
    for done, total in progress:
        if interactive:
            print(f"\r{what}: {done}/{total}", end="", file=sys.stderr, flush=True)
    if interactive:
        print(file=sys.stderr)


def _demo(db: Database, args: argparse.Namespace) -> int:
    _report_progress(demo.generate_demo(db, args.audits, args.seed, args.years, args.end),
                     "Demo audits")
    print(f"Added {args.audits} synthetic demo audits (seed {args.seed}) to {db.path}")
    return 0


def _stats(db: Database, args: argparse.Namespace) -> int:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError("--from must not be after --to")
    counts = stats.grade_counts(db, args.date_from, args.date_to)
    if args.json:
        print(json.dumps(counts.as_json(), indent=2))
        return 0
    print(f"Audits: {counts.audits}")
    for grade, count in counts.by_grade.items():
        share = f"{100 * count / counts.audits:5.1f}%" if counts.audits else "    -"
        print(f"  {grade:<34} {count:>6}  {share}")
    return 0


# The exporters are imported by their commands only, so that no other command waits for
# reportlab to load.


def _export_excel(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import xlsx

    scope = ReportScope(args.date_from, args.date_to, args.team, args.template)
    _report_progress(xlsx.export_workbook(db, args.out, scope, args.as_at), "Exporting rows")
    print(f"Wrote {args.out}")
    return 0


def _export_audit_pdf(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import audit_pdf

    _report_progress(audit_pdf.export_audit_pdf(db, args.audit, args.out), "Writing")
    print(f"Wrote {args.out}")
    return 0


def _export_board_pdf(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import board_figures, board_pdf

    today = args.as_at or date.today()
    scope = board_figures.default_period(today, args.date_from, args.date_to)
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise UserError("--from must not be after --to")
    _report_progress(board_pdf.export_board_pack(db, args.out, scope, args.suppress, today),
                     "Writing")
    print(f"Wrote {args.out} ({scope.period_text()})")
    return 0


def _check(db: Database, _args: argparse.Namespace) -> int:
    report = maintenance.check_database(db)
    print(f"Database: {db.path}")
    print(f"Integrity: {'; '.join(report.integrity)}")
    print(f"Foreign key problems: {report.foreign_key_problems}")
    print(f"Schema: {report.schema_revision} (this auditapp: {report.code_revision})")
    print("Result: ok" if report.ok else "Result: PROBLEMS FOUND")
    return 0 if report.ok else 1


# --- entry point ------------------------------------------------------------------------------


def open_for_cli(path: Path | None) -> Database:
    """Open the named (or default) database and make sure the shipped templates are in it."""
    db = open_database(path or default_db_path())
    templates.install_shipped_templates(db)
    return db


def run(argv: Sequence[str] | None = None,
        start_gui: Callable[[Path | None], int] | None = None) -> int:
    """Run one command; with none, hand over to ``start_gui``. Returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        if start_gui is None:
            build_parser().print_help()
            return 0
        return start_gui(args.db)
    db = open_for_cli(args.db) if getattr(args, "needs_db", True) else None
    try:
        return int(args.handler(db, args))
    finally:
        if db is not None:
            db.dispose()


def main_cli(argv: Sequence[str] | None = None,
             start_gui: Callable[[Path | None], int] | None = None) -> int:
    """:func:`run`, with user errors printed as clear messages rather than tracebacks."""
    try:
        return run(argv, start_gui)
    except UserError as exc:
        print(f"auditapp: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("auditapp: interrupted", file=sys.stderr)
        return 130
