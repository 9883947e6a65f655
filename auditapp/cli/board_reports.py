"""``report start|list|words|release|produce``: board reports prepared from the command line,
the same reports the desktop's Board reports window prepares."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from auditapp.cli.prompts import cli_actor, date_arg, positive_arg, report_progress
from auditapp.rules.limits import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD
from auditapp.rules.markings import MARKINGS, OFFICIAL_SENSITIVE
from auditapp.storage.engine import Database

if TYPE_CHECKING:
    from auditapp.services.reporting.board_reports import ReportSettings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``report``."""
    rp = commands.add_parser("report", help="prepare, release and produce board reports")
    actions = rp.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    st = actions.add_parser("start", help="start a draft board report")
    st.add_argument("--title", required=True, metavar="TEXT")
    st.add_argument("--from", dest="date_from", type=date_arg, required=True, metavar="D",
                    help="the period's first day")
    st.add_argument("--to", dest="date_to", type=date_arg, required=True, metavar="D",
                    help="the period's last day")
    st.add_argument("--committee", required=True, metavar="TEXT",
                    help="the board or committee it goes to")
    st.add_argument("--meeting", type=date_arg, required=True, metavar="D",
                    help="the meeting's date")
    st.add_argument("--author", required=True, metavar="TEXT", help="name and role")
    st.add_argument("--marking", choices=[m.lower() for m in MARKINGS],
                    default=OFFICIAL_SENSITIVE.lower(),
                    help="official: a paper to be published; official-sensitive (the "
                         "default): for internal use")
    st.add_argument("--suppress", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                    help=f"show counts below N as <N ({MIN_THRESHOLD} to {MAX_THRESHOLD}, "
                         f"default: {DEFAULT_THRESHOLD})")
    st.add_argument("--team", metavar="T", help="only audits of this team")
    st.add_argument("--template", metavar="ID", help="only audits on this template")
    st.set_defaults(handler=_start)
    ls = actions.add_parser("list", help="list the board reports")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=_list)
    wd = actions.add_parser("words", help="write a draft's words from a YAML file")
    wd.add_argument("report", type=positive_arg, metavar="ID", help="the report's number")
    wd.add_argument("file", type=Path, metavar="WORDS.yaml",
                    help="summary, recommendations, key_messages, next_steps, ... (any of "
                         "them; see docs/board-words.example.yaml)")
    wd.set_defaults(handler=_words)
    rl = actions.add_parser("release", help="release a draft: record it in the release "
                            "register and freeze it")
    rl.add_argument("report", type=positive_arg, metavar="ID", help="the report's number")
    rl.add_argument("--as-at", dest="as_at", type=date_arg, metavar="D",
                    help="date at which open actions count as overdue (default: today)")
    rl.set_defaults(handler=_release)
    pr = actions.add_parser("produce", help="write a report as a PDF or a Word edition")
    pr.add_argument("report", type=positive_arg, metavar="ID", help="the report's number")
    out = pr.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", type=Path, metavar="OUT", help="the PDF board pack")
    out.add_argument("--docx", type=Path, metavar="OUT",
                     help="the Word edition (accessible: the route for publication)")
    pr.add_argument("--as-at", dest="as_at", type=date_arg, metavar="D",
                    help="for a draft: date at which open actions count as overdue (default: "
                         "today); a released report keeps its release's")
    pr.set_defaults(handler=_produce)


def _start(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.reporting import board_reports as reports

    row = reports.start_report(db, reports.ReportSettings(
        args.title, args.date_from, args.date_to, args.committee, args.meeting, args.author,
        args.marking.upper(), args.suppress, args.team, args.template), cli_actor(db))
    print(f"Started report {row.id}: {row.settings.title} ({_period(row.settings)}, "
          f"{row.settings.marking}, a draft)")
    return 0


def _period(settings: ReportSettings) -> str:
    return f"{settings.scope.period_text()}; {settings.scope_text()}"


def _list(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.reporting import board_reports as reports

    rows = reports.list_reports(db, cli_actor(db))
    if args.json:
        print(json.dumps([{"id": r.id, "title": r.settings.title,
                           "from": r.settings.date_from.isoformat(),
                           "to": r.settings.date_to.isoformat(), "team": r.settings.team,
                           "template": r.settings.template_key, "status": r.status,
                           "marking": r.settings.marking, "release": r.release,
                           "revision": r.revision} for r in rows], indent=2))
        return 0
    for r in rows:
        print(f"{r.id:>5}  {r.status:<9} {r.settings.marking:<19} {r.settings.title}  "
              f"({_period(r.settings)})")
    if not rows:
        print("No board reports yet: start one with 'auditapp report start'.")
    return 0


def _words(db: Database, args: argparse.Namespace) -> int:
    from auditapp.inputs.board_words import read_report_words
    from auditapp.services.reporting import board_reports as reports

    words = read_report_words(args.file)
    actor = cli_actor(db)
    row = reports.read_report(db, args.report, actor)
    row = reports.save_words(db, row.id, words, row.revision, actor)
    missing = row.missing()
    print(f"Saved {len(words)} part(s) of report {row.id}"
          + (f"; still to write before release: {', '.join(missing)}" if missing else ""))
    return 0


def _release(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.reporting import board_reports as reports

    actor = cli_actor(db)
    row = reports.read_report(db, args.report, actor)
    row = reports.release_report(db, row.id, row.revision, actor, today=args.as_at)
    print(f"Released report {row.id} as release {row.release}: its words and settings are "
          "frozen, and it is produced again as the same file.")
    return 0


def _produce(db: Database, args: argparse.Namespace) -> int:
    from auditapp.exporters.board_report import produce_report

    edition, out = ("pdf", args.pdf) if args.pdf is not None else ("docx", args.docx)
    report_progress(produce_report(db, args.report, out, edition, cli_actor(db),
                                   today=args.as_at or date.today()), "Writing")
    print(f"Wrote {out}")
    return 0
