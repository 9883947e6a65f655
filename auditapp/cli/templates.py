"""``templates list|validate|import``, ``cases import`` and ``demo``: what goes into a
database.

Each command imports the services it uses, so that ``templates list`` does not wait for the
spreadsheet reader that ``cases import`` needs (see tests/cli/test_light_imports.py).
"""

from __future__ import annotations

import argparse

from auditapp.cli.prompts import cli_actor, date_arg, path_arg, positive_arg, report_progress
from auditapp.errors import UserError
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``templates``, ``cases`` and ``demo``."""
    tpl = commands.add_parser("templates", help="list, validate and import checklist templates")
    tpl_commands = tpl.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    tpl_list = tpl_commands.add_parser("list", help="list template versions")
    tpl_list.set_defaults(handler=_templates_list)
    tpl_validate = tpl_commands.add_parser("validate", help="check template files (.yaml or .xlsx)")
    tpl_validate.add_argument("files", type=path_arg, nargs="+", metavar="FILE")
    tpl_validate.set_defaults(handler=_templates_validate, needs_db=False)
    tpl_import = tpl_commands.add_parser("import", help="import template files (.yaml or .xlsx)")
    tpl_import.add_argument("files", type=path_arg, nargs="+", metavar="FILE")
    tpl_import.set_defaults(handler=_templates_import)

    cs = commands.add_parser("cases", help="import a sample of cases")
    cs_commands = cs.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    cs_import = cs_commands.add_parser(
        "import", help="create cases and draft audits from a .xlsx or .csv file")
    cs_import.add_argument("file", type=path_arg, metavar="FILE")
    cs_import.add_argument("--template", default="pathway-plan-quality", metavar="ID",
                           help="template id (default: pathway-plan-quality)")
    cs_import.add_argument("--template-version", type=positive_arg, metavar="N",
                           help="template version (default: the newest in use)")
    cs_import.add_argument("--auditor", default="", metavar="NAME",
                           help="auditor for rows without one")
    cs_import.add_argument("--date", type=date_arg, metavar="D",
                           help="audit date for rows without one (default: today)")
    cs_import.set_defaults(handler=_cases_import)

    dm = commands.add_parser("demo", help="fill the database with synthetic demo audits")
    dm.add_argument("--audits", type=positive_arg, required=True, metavar="N")
    dm.add_argument("--seed", type=int, default=1, metavar="S")
    dm.add_argument("--years", type=float, default=2.0, metavar="Y",
                    help="spread audit dates over this many years (default: 2)")
    dm.add_argument("--end", type=date_arg, metavar="D", help="latest audit date (default: today)")
    dm.set_defaults(handler=_demo)


def _templates_list(db: Database, _args: argparse.Namespace) -> int:
    from auditapp.services.template_list import list_templates

    rows = list_templates(db)
    print(f"{'ID':<24} {'VER':>3}  {'SECTIONS':>8} {'QUESTIONS':>9} {'AUDITS':>6}  TITLE")
    for row in rows:
        retired = " (retired)" if row.retired else ""
        print(f"{row.key:<24} {row.version:>3}  {row.sections:>8} {row.questions:>9} "
              f"{row.audits:>6}  {row.title}{retired}")
    return 0


def _templates_validate(_db: None, args: argparse.Namespace) -> int:
    from auditapp.services import templates

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
    from auditapp.services import templates

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
        result = templates.import_template_spec(db, spec, name, cli_actor(db))
        verb = "imported as" if result.created else "unchanged, already"
        print(f"{name}: {verb} {result.key} version {result.version} "
              f"({result.questions} questions)")
    return 0


def _cases_import(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import cases, templates

    template_id = templates.find_template_id(db, args.template, args.template_version)
    result = cases.import_cases(db, args.file, template_id, cli_actor(db), args.auditor,
                                args.date)
    print(f"{args.file.name}: {result.rows} rows; {result.cases_created} new cases, "
          f"{result.cases_updated} existing cases; {result.audits_created} draft audits created")
    return 0


def _demo(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import demo

    report_progress(demo.generate_demo(db, args.audits, cli_actor(db), args.seed, args.years,
                                       args.end),
                    "Demo audits")
    print(f"Added {args.audits} synthetic demo audits (seed {args.seed}) to {db.location}")
    return 0
