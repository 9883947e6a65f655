"""``programme list|set|remove|import``: the audit programme, the audits each team plans per
period with each template (see :mod:`auditapp.services.programme`).

The services are imported by each command, so that other commands do not wait for the
spreadsheet reader that ``programme import`` needs (see tests/cli/test_light_imports.py).
"""

from __future__ import annotations

import argparse
from datetime import date

from auditapp.cli.prompts import cli_actor, date_arg, path_arg
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``programme``."""
    pg = commands.add_parser("programme", help="the audit programme: audits planned per "
                                               "period, team and template")
    actions = pg.add_subparsers(dest="programme_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the planned lines, with the audits "
                                              "completed in each so far")
    listing.set_defaults(handler=_list)
    setting = actions.add_parser("set", help="plan audits for a period, team and template "
                                             "(replaces the count of the same line)")
    _line_arguments(setting)
    setting.add_argument("--planned", type=int, required=True, metavar="N",
                         help="audits planned (0 or more)")
    setting.set_defaults(handler=_set)
    removing = actions.add_parser("remove", help="remove the line of a period, team and "
                                                 "template")
    _line_arguments(removing)
    removing.set_defaults(handler=_remove)
    importing = actions.add_parser(
        "import", help="import lines from a .xlsx or .csv file (columns: period start, "
                       "period end, team, template key, planned); all or none")
    importing.add_argument("file", type=path_arg, metavar="FILE")
    importing.set_defaults(handler=_import)


def _line_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", type=date_arg, required=True, metavar="D",
                        help="first day of the period (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=date_arg, required=True, metavar="D",
                        help="last day of the period (YYYY-MM-DD)")
    parser.add_argument("--team", required=True, metavar="T")
    parser.add_argument("--template", required=True, metavar="KEY", help="template id")


def _list(db: Database, _args: argparse.Namespace) -> int:
    from auditapp.services import programme

    rows = programme.list_programme(db, as_at=date.today())
    if not rows:
        print("No audits are planned. Add a line with 'auditapp programme set' or import a "
              "sheet with 'auditapp programme import'.")
        return 0
    team_width = max(4, *(len(r.team) for r in rows))
    key_width = max(8, *(len(r.template_key) for r in rows))
    print(f"{'FROM':<10} {'TO':<10} {'TEAM':<{team_width}} {'TEMPLATE':<{key_width}} "
          f"{'PLANNED':>7} {'COMPLETED':>9}")
    for r in rows:
        print(f"{r.date_from.isoformat():<10} {r.date_to.isoformat():<10} "
              f"{r.team:<{team_width}} {r.template_key:<{key_width}} {r.planned:>7} "
              f"{r.completed:>9}")
    return 0


def _set(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import programme

    line = programme.PlannedLine(args.date_from, args.date_to, args.team, args.template,
                                 args.planned)
    added = programme.set_planned(db, line, cli_actor(db))
    print(f"{'Planned' if added else 'Changed to'} {line.planned} audits with "
          f"{line.template_key} for team '{line.team.strip()}', {line.period_text()}.")
    return 0


def _remove(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import programme

    line = programme.PlannedLine(args.date_from, args.date_to, args.team, args.template, 0)
    programme.remove_planned(db, line, cli_actor(db))
    print(f"Removed the line of team '{line.team}', {line.template_key}, "
          f"{line.period_text()}.")
    return 0


def _import(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import programme_import

    result = programme_import.import_programme(db, args.file, cli_actor(db))
    print(f"{args.file.name}: {result.lines} lines; {result.added} added, {result.replaced} "
          "replaced")
    return 0
