"""The command line: the scripting interface for practice leads, and the app's front door.

``auditapp [--db PATH] [--passphrase-file FILE] COMMAND``; with no command the desktop app
opens. A user error prints one line (or one line per problem) to stderr and exits with
status 2. Passphrases are never taken on the command line itself (other users can read a
process's arguments, and shells keep them in their history): they come from a file, from
``AUDITAPP_PASSPHRASE`` / ``AUDITAPP_NEW_PASSPHRASE``, or from a prompt at a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from auditapp import __version__, backups, encryption
from auditapp.database import AppDatabase, is_server_url, open_database
from auditapp.errors import PassphraseRequiredError, UserError
from auditapp.models import Database, Role
from auditapp.paths import default_db_path
from auditapp.services import (
    cases,
    demo,
    history,
    maintenance,
    moderation,
    settings,
    stats,
    templates,
)
from auditapp.services.reporting import ReportScope
from auditapp.services.users import Actor, list_users, save_user
from auditapp.services.workflow import reopen_audit

EXIT_USER_ERROR = 2
PASSPHRASE_ENV = "AUDITAPP_PASSPHRASE"
NEW_PASSPHRASE_ENV = "AUDITAPP_NEW_PASSPHRASE"


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


def _path(text: str) -> Path:
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    return Path(text)


def _db_location(text: str) -> Path | str:
    """A database file, or a database server's SQLAlchemy URL (kept as text)."""
    return text if is_server_url(text) else _path(text)


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
    parser.add_argument("--db", type=_db_location, metavar="PATH",
                        help=f"database file (default: {default_db_path()}), or the URL of a "
                             "shared PostgreSQL database (postgresql+psycopg://user@host/name)")
    parser.add_argument("--passphrase-file", type=_path, metavar="FILE",
                        help=f"read the database passphrase from FILE (or set {PASSPHRASE_ENV}; "
                             "at a terminal auditapp asks)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    tpl = commands.add_parser("templates", help="list, validate and import checklist templates")
    tpl_commands = tpl.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    tpl_list = tpl_commands.add_parser("list", help="list template versions")
    tpl_list.set_defaults(handler=_templates_list)
    tpl_validate = tpl_commands.add_parser("validate", help="check template files (.yaml or .xlsx)")
    tpl_validate.add_argument("files", type=_path, nargs="+", metavar="FILE")
    tpl_validate.set_defaults(handler=_templates_validate, needs_db=False)
    tpl_import = tpl_commands.add_parser("import", help="import template files (.yaml or .xlsx)")
    tpl_import.add_argument("files", type=_path, nargs="+", metavar="FILE")
    tpl_import.set_defaults(handler=_templates_import)

    cs = commands.add_parser("cases", help="import a sample of cases")
    cs_commands = cs.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    cs_import = cs_commands.add_parser(
        "import", help="create cases and draft audits from a .xlsx or .csv file")
    cs_import.add_argument("file", type=_path, metavar="FILE")
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

    md = commands.add_parser("moderation", help="moderation agreement figures")
    md_commands = md.add_subparsers(dest="moderation_command", metavar="ACTION", required=True)
    ms = md_commands.add_parser("stats", help="agreement between auditors and moderators")
    ms.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    ms.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    ms.add_argument("--team", metavar="T", help="only audits of this team")
    ms.add_argument("--json", action="store_true", help="print JSON")
    ms.set_defaults(handler=_moderation_stats)

    ck = commands.add_parser("check", help="check integrity, schema version and history chain")
    ck.set_defaults(handler=_check)
    _add_reliability_commands(commands)
    _add_export_commands(commands)
    from auditapp.cli_bundles import add_bundle_commands  # it uses this module's helpers

    add_bundle_commands(commands)
    return parser


def _add_reliability_commands(commands: argparse._SubParsersAction) -> None:
    bk = commands.add_parser("backup", help="back up the database now")
    bk.add_argument("--out", type=_path, metavar="FILE",
                    help="write the backup here (default: the backups folder)")
    bk.set_defaults(handler=_backup)
    rs = commands.add_parser("restore", help="replace the database with a checked backup")
    rs.add_argument("file", type=_path, metavar="FILE")
    rs.set_defaults(handler=_restore, needs_db=False)
    hs = commands.add_parser("history", help="an audit's change history")
    hs.add_argument("audit", type=_positive, metavar="AUDIT", help="audit number")
    hs.add_argument("--out", type=_path, metavar="FILE.csv", help="write CSV here")
    hs.set_defaults(handler=_history)
    en = commands.add_parser("encrypt", help="encrypt the database with a new passphrase")
    en.add_argument("--new-passphrase-file", type=_path, metavar="FILE")
    en.add_argument("--confirm", action="store_true",
                    help="after checking the encrypted database, delete its plain backups")
    en.set_defaults(handler=_encrypt, needs_db=False)
    cp = commands.add_parser("change-passphrase", help="change the database's passphrase")
    cp.add_argument("--new-passphrase-file", type=_path, metavar="FILE")
    cp.set_defaults(handler=_change_passphrase, needs_db=False)
    us = commands.add_parser("users", help="list or add local profiles")
    us_commands = us.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    us_commands.add_parser("list", help="list profiles").set_defaults(handler=_users_list)
    us_add = us_commands.add_parser("add", help="add a profile, or change its role")
    us_add.add_argument("name", metavar="NAME")
    us_add.add_argument("--role", required=True, choices=[r.value for r in Role])
    us_add.set_defaults(handler=_users_add)
    il = commands.add_parser("idle-lock", help="show or set the idle time before the app locks")
    il.add_argument("minutes", type=int, nargs="?", metavar="MINUTES")
    il.set_defaults(handler=_idle_lock)
    ro = commands.add_parser("reopen", help="reopen a closed audit (recorded in its history)")
    ro.add_argument("audit", type=_positive, metavar="AUDIT")
    ro.add_argument("--reason", required=True, metavar="TEXT")
    ro.set_defaults(handler=_reopen)


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
            spec = templates.load_template_any(path)
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
            specs.append((templates.load_template_any(path), path.name))
        except UserError as exc:
            problems.append(str(exc))
    if problems:
        raise UserError("\n".join(problems) + "\nNothing was imported.")
    for spec, name in specs:
        result = templates.import_template_spec(db, spec, name, cli_actor())
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
    print(f"Added {args.audits} synthetic demo audits (seed {args.seed}) to {db.location}")
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


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _moderation_stats(db: Database, args: argparse.Namespace) -> int:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError("--from must not be after --to")
    figures = moderation.agreement_figures(db, args.date_from, args.date_to, args.team)
    if args.json:
        print(json.dumps(figures.as_json(), indent=2))
        return 0
    overall = figures.overall
    kappa = "-" if overall.kappa is None else f"{overall.kappa:.3f}"
    print(f"Audits: {figures.audits}; moderated: {figures.moderated} "
          f"({_share(figures.moderated_share)})")
    print(f"Exact agreement: {overall.exact}/{overall.pairs} ({_share(overall.exact_share)}); "
          f"within one grade: {overall.within_one} ({_share(overall.within_one_share)})")
    print(f"Weighted kappa (linear): {kappa}; moderated grade higher: {overall.raised}, "
          f"lower: {overall.lowered}")
    for section in figures.sections:
        value = section.agreement
        section_kappa = "-" if value.kappa is None else f"{value.kappa:.3f}"
        print(f"  {section.template_key} {section.section_key:<6} n={value.pairs:<5} "
              f"exact {_share(value.exact_share):>6}  kappa {section_kappa:>6}  "
              f"{section.title}")
    return 0


def _check(db: Database, _args: argparse.Namespace) -> int:
    report = maintenance.check_database(db)
    print(f"Database: {db.location}")
    if db.is_server:
        print("Integrity and foreign keys: kept by the database server")
    else:
        print(f"Integrity: {'; '.join(report.integrity)}")
        print(f"Foreign key problems: {report.foreign_key_problems}")
    print(f"Schema: {report.schema_revision} (this auditapp: {report.code_revision})")
    history = report.history
    print(f"History: {history.entries} entries, "
          f"{'chain intact' if history.ok else f'{len(history.breaks)} BREAKS'}; "
          f"last entry {history.last_seq} hash {history.last_hash}")
    for line in history.breaks:
        print(f"  break: {line}")
    print("Result: ok" if report.ok else "Result: PROBLEMS FOUND")
    return 0 if report.ok else 1


def _backup(db: AppDatabase, args: argparse.Namespace) -> int:
    if db.path is None:
        raise UserError(_SERVER_FILES)
    if args.out is None:
        made = backups.make_backup(db, "manual").path
    elif args.out.exists():
        raise UserError(f"{args.out} already exists; auditapp never overwrites a file. "
                        "Choose another name.")
    else:
        made = backups.backup_open_database(db, args.out)
    print(f"Backed up {db.path} to {made}{' (encrypted)' if db.encrypted else ''}")
    return 0


def _restore(_db: None, args: argparse.Namespace) -> int:
    path = _db_path(args)
    aside = backups.restore_backup(path, args.file, _passphrase(args))
    print(f"Restored {args.file} to {path}")
    if aside is not None:
        print(f"The database it replaced is kept as {aside}")
    return 0


def _history(db: Database, args: argparse.Namespace) -> int:
    rows = history.audit_history(db, args.audit)
    if args.out is not None:
        history.write_history_csv(rows, args.out)
        print(f"Wrote {len(rows)} history entries of audit {args.audit} to {args.out}")
        return 0
    for row in rows:
        print(f"{row.seq:>6}  {row.at:%Y-%m-%d %H:%M:%S}  {row.actor:<24} {row.what:<32} "
              f"{row.old_value or '-'} -> {row.new_value or '-'}")
    return 0


def _encrypt(_db: None, args: argparse.Namespace) -> int:
    path = _db_path(args)
    if args.confirm:
        passphrase = _passphrase(args)
        if passphrase is None:
            raise PassphraseRequiredError(f"Give the passphrase of {path} to confirm it.")
        deleted = encryption.confirm_encryption(path, passphrase)
        print(f"Deleted {len(deleted)} unencrypted backup{'s' if len(deleted) != 1 else ''} "
              f"of {path}.")
        return 0
    plain = encryption.encrypt_database(path, _new_passphrase(args))
    print(f"Encrypted {path}.\nA plain copy is kept at {plain} until you confirm: open "
          "auditapp with the new passphrase, check your audits, then run "
          "'auditapp encrypt --confirm' to delete every unencrypted backup.")
    return 0


def _change_passphrase(_db: None, args: argparse.Namespace) -> int:
    path = _db_path(args)
    old = _passphrase(args)
    if old is None:
        raise PassphraseRequiredError(f"Give the current passphrase of {path}.")
    rekeyed = encryption.change_passphrase(path, old, _new_passphrase(args))
    print(f"Changed the passphrase of {path} and of {len(rekeyed)} backup"
          f"{'s' if len(rekeyed) != 1 else ''}.")
    return 0


def _users_list(db: Database, _args: argparse.Namespace) -> int:
    for user in list_users(db):
        print(f"{user.name:<40} {user.role.value}")
    return 0


def _users_add(db: Database, args: argparse.Namespace) -> int:
    user = save_user(db, args.name, Role(args.role), cli_actor())
    print(f"Saved profile {user.name} ({user.role.value})")
    return 0


def _idle_lock(db: Database, args: argparse.Namespace) -> int:
    if args.minutes is not None:
        settings.set_idle_lock_minutes(db, args.minutes, cli_actor())
    print(f"The app locks after {settings.idle_lock_minutes(db)} minutes without input.")
    return 0


def _reopen(db: Database, args: argparse.Namespace) -> int:
    reopen_audit(db, args.audit, args.reason, cli_actor())
    print(f"Reopened audit {args.audit} as a draft.")
    return 0


# --- passphrases ------------------------------------------------------------------------------


def _read_secret(file: Path | None, env: str, prompt: str | None) -> str | None:
    """A passphrase from a file, else the environment, else a prompt at a terminal."""
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"Cannot read the passphrase file {file}: {exc}") from exc
    if os.environ.get(env):
        return os.environ[env]
    if prompt is not None and sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return None


def _passphrase(args: argparse.Namespace, prompt: bool = False) -> str | None:
    return _read_secret(args.passphrase_file, PASSPHRASE_ENV,
                        "Passphrase: " if prompt else None)


def _new_passphrase(args: argparse.Namespace) -> str:
    secret = _read_secret(args.new_passphrase_file, NEW_PASSPHRASE_ENV, "New passphrase: ")
    if secret is None:
        raise UserError(f"Give the new passphrase in a file (--new-passphrase-file) or in "
                        f"{NEW_PASSPHRASE_ENV}, or run this at a terminal to be asked.")
    if args.new_passphrase_file is None and not os.environ.get(NEW_PASSPHRASE_ENV) \
            and getpass.getpass("Again: ") != secret:
        raise UserError("The two passphrases differ; nothing was changed.")
    return encryption.check_new_passphrase(secret)


_SERVER_FILES = ("Backups, restores and passphrases are for database files. A shared "
                 "PostgreSQL database is backed up, restored and encrypted by its server "
                 "(pg_dump, the server's disk encryption): ask whoever runs it.")


def _db_path(args: argparse.Namespace) -> Path:
    if is_server_url(args.db or ""):
        raise UserError(_SERVER_FILES)
    return Path(args.db or default_db_path()).expanduser().resolve()


# --- entry point ------------------------------------------------------------------------------


def open_for_cli(path: Path | str | None, args: argparse.Namespace | None = None
                 ) -> AppDatabase:
    """Open the named (or default) database and make sure the shipped templates are in it.

    An encrypted database is opened with the passphrase from ``--passphrase-file`` or
    ``AUDITAPP_PASSPHRASE``, or one asked for at a terminal."""
    path = path or default_db_path()
    passphrase = _passphrase(args) if args is not None and not is_server_url(path) else None
    # Scripts run many commands: the daily backup below, not a full copy on every command.
    try:
        db = open_database(path, passphrase, backup=False)
    except PassphraseRequiredError as exc:
        asked = _passphrase(args, prompt=True) if args is not None else None
        if asked is None:
            raise PassphraseRequiredError(
                f"{exc} Use --passphrase-file FILE or set {PASSPHRASE_ENV}.") from None
        db = open_database(path, asked, backup=False)
    if db.path is not None:  # a server database is backed up by its server
        try:
            backups.backup_if_due(db)
        except UserError as exc:
            db.warnings.append(f"The daily backup failed: {exc}")
    for warning in db.warnings:
        print(f"auditapp: warning: {warning}", file=sys.stderr)
    templates.install_shipped_templates(db)
    return db


def run(argv: Sequence[str] | None = None,
        start_gui: Callable[[Path | str | None], int] | None = None) -> int:
    """Run one command; with none, hand over to ``start_gui``. Returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        if start_gui is None:
            build_parser().print_help()
            return 0
        return start_gui(args.db)
    db = open_for_cli(args.db, args) if getattr(args, "needs_db", True) else None
    try:
        return int(args.handler(db, args))
    finally:
        if db is not None:
            db.dispose()


def main_cli(argv: Sequence[str] | None = None,
             start_gui: Callable[[Path | str | None], int] | None = None) -> int:
    """:func:`run`, with user errors printed as clear messages rather than tracebacks."""
    try:
        return run(argv, start_gui)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    except UserError as exc:
        print(f"auditapp: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("auditapp: interrupted", file=sys.stderr)
        return 130
