"""``stats``, ``moderation stats`` and ``export excel|audit-pdf|board-pdf|board-docx``:
figures and reports.

Each command imports the services and exporters it uses, so that no other command waits for
them (or for reportlab and openpyxl) to load.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from auditapp.cli.prompts import cli_actor, date_arg, positive_arg, report_progress
from auditapp.errors import UserError
from auditapp.rules.limits import (
    DEFAULT_THRESHOLD,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    check_threshold,
)
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``stats`` and ``moderation stats``."""
    st = commands.add_parser("stats", help="audits and overall grades in a period")
    st.add_argument("--from", dest="date_from", type=date_arg, metavar="DATE")
    st.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(handler=_stats)

    md = commands.add_parser("moderation", help="moderation agreement figures")
    md_commands = md.add_subparsers(dest="moderation_command", metavar="ACTION", required=True)
    ms = md_commands.add_parser("stats", help="agreement between auditors and moderators")
    ms.add_argument("--from", dest="date_from", type=date_arg, metavar="DATE")
    ms.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE")
    ms.add_argument("--team", metavar="T", help="only audits of this team")
    ms.add_argument("--json", action="store_true", help="print JSON")
    ms.set_defaults(handler=_moderation_stats)


def add_export_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export excel``, ``export audit-pdf`` and ``export board-pdf``."""
    ex = commands.add_parser("export", help="export findings to Excel, or a PDF report")
    ex_commands = ex.add_subparsers(dest="export_command", metavar="ACTION", required=True)
    as_at_help = "date at which open actions count as overdue (default: today)"
    xl = ex_commands.add_parser("excel", help="graded findings of a period to an .xlsx file")
    xl.add_argument("--out", type=Path, required=True, metavar="FILE")
    xl.add_argument("--from", dest="date_from", type=date_arg, metavar="D")
    xl.add_argument("--to", dest="date_to", type=date_arg, metavar="D")
    xl.add_argument("--team", metavar="T", help="only audits of this team")
    xl.add_argument("--template", metavar="ID", help="only audits on this template")
    xl.add_argument("--as-at", dest="as_at", type=date_arg, metavar="D", help=as_at_help)
    xl.set_defaults(handler=_export_excel)
    ap = ex_commands.add_parser("audit-pdf", help="one audit's feedback report as a PDF")
    ap.add_argument("audit", type=positive_arg, metavar="AUDIT", help="the audit's number")
    ap.add_argument("--out", type=Path, required=True, metavar="FILE")
    ap.set_defaults(handler=_export_audit_pdf)
    bp = ex_commands.add_parser("board-pdf", help="the board pack for a period as a PDF")
    bp.add_argument("--out", type=Path, required=True, metavar="FILE")
    bp.add_argument("--from", dest="date_from", type=date_arg, metavar="D",
                    help="first day (default: six months before --to)")
    bp.add_argument("--to", dest="date_to", type=date_arg, metavar="D",
                    help="last day (default: today)")
    bp.add_argument("--suppress", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                    help=f"show counts below N as <N ({MIN_THRESHOLD} to {MAX_THRESHOLD}, "
                         f"default: {DEFAULT_THRESHOLD})")
    bp.add_argument("--as-at", dest="as_at", type=date_arg, metavar="D", help=as_at_help)
    bp.add_argument("--release", action="store_true",
                    help="for publication: record it in the release register (refused if it "
                         "counts an audit another release counts); without it the pack is "
                         "a draft, marked not for release")
    bp.set_defaults(handler=_export_board_pdf)
    bd = ex_commands.add_parser("board-docx", help="the board report as a Word document "
                                "(committee-report form, accessible)")
    bd.add_argument("--out", type=Path, required=True, metavar="FILE")
    bd.add_argument("--words", type=Path, required=True, metavar="WORDS.yaml",
                    help="the report's words: front sheet, summary, recommendations, ... "
                         "(see docs/board-words.example.yaml)")
    bd.add_argument("--from", dest="date_from", type=date_arg, metavar="D",
                    help="first day (default: six months before --to)")
    bd.add_argument("--to", dest="date_to", type=date_arg, metavar="D",
                    help="last day (default: today)")
    bd.add_argument("--suppress", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                    help=f"show counts below N as <N (default: {DEFAULT_THRESHOLD})")
    bd.add_argument("--as-at", dest="as_at", type=date_arg, metavar="D", help=as_at_help)
    bd.add_argument("--marking", choices=("official", "official-sensitive"),
                    default="official-sensitive",
                    help="OFFICIAL for a paper to be published (needs --release), "
                         "OFFICIAL-SENSITIVE for internal use (the default)")
    bd.add_argument("--release", action="store_true",
                    help="for publication: record it in the release register, as "
                         "board-pdf --release does")
    bd.set_defaults(handler=_export_board_docx)
    rb = ex_commands.add_parser("rebuild", help="rebuild a board pack from its manifest")
    rb.add_argument("file", type=Path, metavar="FILE", help="a board pack auditapp wrote")
    rb.add_argument("--out", type=Path, metavar="NEW",
                    help="where to write it (default: FILE's name with ' (rebuilt)')")
    rb.set_defaults(handler=_export_rebuild)


def _check_period(args: argparse.Namespace) -> None:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError("--from must not be after --to")


def _stats(db: Database, args: argparse.Namespace) -> int:
    _check_period(args)
    from auditapp.services.reporting import stats

    counts = stats.grade_counts(db, args.date_from, args.date_to)
    if args.json:
        print(json.dumps(counts.as_json(), indent=2))
        return 0
    print(f"Audits: {counts.audits}")
    for grade, count in counts.by_grade.items():
        share = f"{100 * count / counts.audits:5.1f}%" if counts.audits else "    -"
        print(f"  {grade:<34} {count:>6}  {share}")
    return 0


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _moderation_stats(db: Database, args: argparse.Namespace) -> int:
    _check_period(args)
    from auditapp.services import moderation

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


def _export_excel(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import xlsx
    from auditapp.services.reporting.figures import ReportScope

    scope = ReportScope(args.date_from, args.date_to, args.team, args.template)
    report_progress(xlsx.export_workbook(db, args.out, scope, args.as_at), "Exporting rows")
    print(f"Wrote {args.out}")
    return 0


def _export_audit_pdf(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import audit_pdf

    report_progress(audit_pdf.export_audit_pdf(db, args.audit, args.out, cli_actor(db)),
                    "Writing")
    print(f"Wrote {args.out}")
    return 0


def _export_board_pdf(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import board_pdf
    from auditapp.services.reporting import board_figures

    check_threshold(args.suppress)
    today = args.as_at or date.today()
    # The period defaults from the real today: --as-at is only when actions are judged.
    scope = board_figures.default_period(date.today(), args.date_from, args.date_to)
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise UserError("--from must not be after --to")
    release = cli_actor(db) if args.release else None
    report_progress(board_pdf.export_board_pack(db, args.out, scope, args.suppress, today,
                                                release=release), "Writing")
    print(f"Wrote {args.out} ({scope.period_text()}"
          f"{', released' if release else ', a draft not for release'})")
    return 0


def _export_board_docx(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import board_docx
    from auditapp.inputs.board_words import read_board_words
    from auditapp.services.reporting import board_figures

    check_threshold(args.suppress)
    words = read_board_words(args.words)
    today = args.as_at or date.today()
    scope = board_figures.default_period(date.today(), args.date_from, args.date_to)
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise UserError("--from must not be after --to")
    release = cli_actor(db) if args.release else None
    report_progress(board_docx.export_board_docx(
        db, args.out, scope, words, args.marking.upper(), args.suppress, today,
        release=release), "Writing")
    print(f"Wrote {args.out} ({scope.period_text()}, {args.marking.upper()}"
          f"{', released' if release else ', a draft not for release'})")
    return 0


def _export_rebuild(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters import board_pdf

    out = args.out or args.file.with_name(f"{args.file.stem} (rebuilt){args.file.suffix}")
    report_progress(board_pdf.rebuild_board_pack(db, args.file, out, cli_actor(db)),
                    "Writing")
    same = out.read_bytes() == args.file.read_bytes()
    print(f"Wrote {out}" + (": byte-identical to the original" if same else
                            ": the audits are the same, but the bytes differ"))
    return 0
