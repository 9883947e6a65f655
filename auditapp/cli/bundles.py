"""``auditapp bundle export|import``: audit bundles from the command line.

A bundle passphrase, like the database's, is never taken on the command line: it comes from
``--bundle-passphrase-file``, from ``AUDITAPP_BUNDLE_PASSPHRASE``, or from a prompt at a
terminal. An import with conflicts and no choices for them imports nothing, lists them and
exits with status 1; ``--choose N=local|remote`` settles one, ``--prefer`` the rest.

The bundle services (and the cryptography they use) are imported by these commands only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from auditapp.cli.prompts import (
    BUNDLE_PASSPHRASE_ENV,
    cli_actor,
    date_arg,
    path_arg,
    read_secret,
    report_progress,
)
from auditapp.errors import UserError
from auditapp.storage.engine import Database

if TYPE_CHECKING:
    from auditapp.services.sync import bundles

#: How a conflict may be settled: services.sync.bundles.PREFERENCES, without importing it.
PREFERENCES = ("local", "remote")
#: A bundle file's suffix: services.sync.bundle_file.SUFFIX, without importing it (and the
#: cryptography it loads) for every command.
SUFFIX = ".auditbundle"
EXIT_CONFLICTS = 1
_PLAIN_WARNING = ("auditapp: warning: {path} is not encrypted and holds personal data: carry "
                  "it only on encrypted storage, or export again with --encrypt.")


def _choice(text: str) -> tuple[int, str]:
    number, _, side = text.partition("=")
    if not number.isdigit() or side not in PREFERENCES:
        raise argparse.ArgumentTypeError(f"'{text}' is not N=local or N=remote")
    return int(number), side


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``bundle export`` and ``bundle import``."""
    bd = commands.add_parser("bundle", help="exchange audits with another database in a file")
    actions = bd.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    secret = {"type": path_arg, "metavar": "FILE", "dest": "bundle_passphrase_file",
              "help": f"read the bundle passphrase from FILE (or set {BUNDLE_PASSPHRASE_ENV})"}
    ex = actions.add_parser("export", help="write audits, their history and templates to FILE")
    ex.add_argument("--out", type=path_arg, required=True, metavar="FILE")
    ex.add_argument("--since", type=date_arg, metavar="DATE", help="only audits changed since DATE")
    ex.add_argument("--auditor", metavar="NAME", help="only this auditor's audits")
    ex.add_argument("--encrypt", action="store_true",
                    help="protect the bundle with a passphrase (asked for at a terminal)")
    ex.add_argument("--bundle-passphrase-file", **secret)  # type: ignore[arg-type]
    ex.set_defaults(handler=_export)
    im = actions.add_parser("import", help="merge a bundle into this database")
    im.add_argument("file", type=path_arg, metavar="FILE")
    im.add_argument("--prefer", choices=PREFERENCES,
                    help="settle every conflict without a --choose: keep this database's "
                         "value (local) or take the bundle's (remote)")
    im.add_argument("--choose", type=_choice, action="append", default=[], metavar="N=SIDE",
                    help="settle conflict N (as listed) with local or remote; repeatable")
    im.add_argument("--dry-run", action="store_true", help="say what would happen; change nothing")
    im.add_argument("--bundle-passphrase-file", **secret)  # type: ignore[arg-type]
    im.set_defaults(handler=_import)


def _export_passphrase(args: argparse.Namespace) -> str | None:
    wanted = args.encrypt or args.bundle_passphrase_file is not None \
        or bool(os.environ.get(BUNDLE_PASSPHRASE_ENV))
    if not wanted:
        return None
    secret = read_secret(args.bundle_passphrase_file, BUNDLE_PASSPHRASE_ENV,
                          "Bundle passphrase: ")
    if secret is None:
        raise UserError(f"Give the bundle passphrase in a file (--bundle-passphrase-file) or in "
                        f"{BUNDLE_PASSPHRASE_ENV}, or run this at a terminal to be asked.")
    prompted = args.bundle_passphrase_file is None and not os.environ.get(BUNDLE_PASSPHRASE_ENV)
    if prompted and read_secret(None, "", "Again: ") != secret:
        raise UserError("The two passphrases differ; no bundle was written.")
    from auditapp.services.sync import bundle_file

    return bundle_file.check_bundle_passphrase(secret)


def _export(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.sync import bundles

    passphrase = _export_passphrase(args)
    finished: list[bundles.ExportResult] = []

    def progress() -> Iterator[tuple[int, int]]:
        for step in bundles.export_bundle(db, args.out, cli_actor(db), since=args.since,
                                       auditor=args.auditor, passphrase=passphrase):
            if isinstance(step, bundles.ExportResult):
                finished.append(step)
            else:
                yield step

    report_progress(progress(), "Exporting audits")
    result = finished[0]
    print(f"Wrote {result.audits} audit{'s' if result.audits != 1 else ''} to {result.path}"
          f"{' (encrypted)' if result.encrypted else ''}")
    if not result.encrypted:
        print(_PLAIN_WARNING.format(path=result.path), file=sys.stderr)
    return 0


def _open(args: argparse.Namespace) -> bundles.Bundle:
    from auditapp.services.sync import bundle_file, bundles

    path: Path = args.file
    passphrase = None
    if bundle_file.is_encrypted(path):
        passphrase = read_secret(args.bundle_passphrase_file, BUNDLE_PASSPHRASE_ENV,
                                  "Bundle passphrase: ")
        if passphrase is None:
            raise bundle_file.BundlePassphraseError(
                f"{path.name} is encrypted: give its passphrase with --bundle-passphrase-file "
                f"FILE or {BUNDLE_PASSPHRASE_ENV}. Nothing was imported.")
    return bundles.open_bundle(path, passphrase)


def _print_conflicts(report: bundles.ImportReport) -> None:
    print("Changed both here and in the bundle since the two last met:")
    audit = ""
    for number, conflict in enumerate(report.conflicts, start=1):
        if conflict.audit != audit:
            audit = conflict.audit
            print(f"  {audit}")
        print(f"    {number}. {conflict.what}\n"
              f"       here: {conflict.local}   bundle: {conflict.remote}   "
              f"(when they last met: {conflict.base})")


def _import(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.sync import bundles

    bundle = _open(args)
    print(f"{args.file.name}: from {bundle.source}")
    preview = bundles.preview_import(db, bundle, cli_actor(db))
    if args.dry_run:
        if preview.conflicts:
            _print_conflicts(preview)
        print(f"Would import: {preview.summary()}. Nothing was changed (--dry-run).")
        return 0
    numbered = {n: c.id for n, c in enumerate(preview.conflicts, start=1)}
    unknown = [n for n, _ in args.choose if n not in numbered]
    if unknown:
        raise UserError(f"There is no conflict {unknown[0]}: the bundle has "
                        f"{len(numbered)}. Nothing was imported.")
    choices = {numbered[n]: side for n, side in args.choose}
    try:
        report = bundles.run_import(db, bundle, cli_actor(db), choices, args.prefer)
    except bundles.UnsettledConflictsError as exc:
        _print_conflicts(exc.report)
        print(f"Nothing was imported. {exc} Rerun with --choose N=local|remote for each, or "
              "--prefer local|remote for all, or import it in the desktop app.")
        return EXIT_CONFLICTS
    print(f"Imported: {report.summary()}; {report.history_added} history entries added.")
    for outcome in report.outcomes:
        if outcome.outcome != bundles.UNCHANGED:
            print(f"  {outcome.outcome:<9} {outcome.audit}")
    return 0
