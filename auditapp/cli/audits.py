"""``history``, ``close`` and ``reopen``: one audit's change history and its life after
submission."""

from __future__ import annotations

import argparse

from auditapp.cli.prompts import cli_actor, path_arg, positive_arg
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``history``."""
    hs = commands.add_parser("history", help="an audit's change history")
    hs.add_argument("audit", type=positive_arg, metavar="AUDIT", help="audit number")
    hs.add_argument("--out", type=path_arg, metavar="FILE.csv", help="write CSV here")
    hs.set_defaults(handler=_history)


def add_workflow_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                          ) -> None:
    """``close`` and ``reopen``."""
    cl = commands.add_parser("close", help="close a submitted or moderated audit: nobody can "
                                           "change it then (recorded in its history)")
    cl.add_argument("audit", type=positive_arg, metavar="AUDIT", help="audit number")
    cl.set_defaults(handler=_close)
    ro = commands.add_parser("reopen", help="reopen a closed audit (recorded in its history)")
    ro.add_argument("audit", type=positive_arg, metavar="AUDIT")
    ro.add_argument("--reason", required=True, metavar="TEXT")
    ro.set_defaults(handler=_reopen)


def _history(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import history

    rows = history.audit_history(db, args.audit, cli_actor(db))
    if args.out is not None:
        history.write_history_csv(rows, args.out)
        print(f"Wrote {len(rows)} history entries of audit {args.audit} to {args.out}")
        return 0
    for row in rows:
        print(f"{row.seq:>6}  {row.at:%Y-%m-%d %H:%M:%S}  {row.actor:<24} {row.what:<32} "
              f"{row.old_value or '-'} -> {row.new_value or '-'}")
    return 0


def _close(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.audits.workflow import close_audit

    close_audit(db, args.audit, cli_actor(db))
    print(f"Closed audit {args.audit}: nobody can change it now. A practice lead can reopen it "
          "(auditapp reopen).")
    return 0


def _reopen(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.audits.workflow import reopen_audit

    reopen_audit(db, args.audit, args.reason, cli_actor(db))
    print(f"Reopened audit {args.audit} as a draft.")
    return 0
