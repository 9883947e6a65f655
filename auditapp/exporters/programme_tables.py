"""The audit programme's tables as both editions of the board pack print them: completed
against planned for the period, and the next period's programme (rows of text, laid out by
:mod:`board_pdf` and :mod:`board_docx`)."""

from __future__ import annotations

from auditapp.rules.wording import day_text
from auditapp.services.reporting.board_figures import BoardPack
from auditapp.services.reporting.programme_figures import COMPLETED, OVERDUE

COMPLETED_HEADER = ("Team", "Template", "Planned", "Completed", "Drafts past due")
NEXT_HEADER = ("Period", "Team", "Template", "Planned")
COMPLETED_TITLE = "Completed against planned"
NEXT_TITLE = "The next audit programme"


def covers_period(pack: BoardPack) -> bool:
    """Whether the programme plans any audits for the pack's period."""
    programme = pack.figures.programme
    return programme is not None and bool(programme.tallies)


def summary_figure(pack: BoardPack) -> tuple[str, str] | None:
    """("12 of 20", "planned audits completed; 3 drafts past their due date"), or None where
    the programme does not cover the period. Completed and overdue counts are printed as the
    disclosure model decides; planned counts as they are."""
    programme = pack.figures.programme
    if programme is None or not programme.tallies:
        return None
    return (f"{pack.count('programme', COMPLETED)} of {programme.planned:,}",
            f"planned audits completed; {pack.count('programme', OVERDUE)} drafts past their "
            "due date")


def summary_line(pack: BoardPack) -> str | None:
    """"12 of 20 planned audits completed; 3 drafts past their due date", or None."""
    figure = summary_figure(pack)
    return None if figure is None else " ".join(figure)


def completed_rows(pack: BoardPack) -> list[list[str]]:
    """A row per team and template, then the total."""
    programme = pack.figures.programme
    if programme is None:
        return []
    rows = [[t.team, t.title, f"{t.planned:,}", pack.count(*t.key(COMPLETED)),
             pack.count(*t.key(OVERDUE))] for t in programme.tallies]
    if rows:
        rows.append(["All planned", "", f"{programme.planned:,}",
                     pack.count("programme", COMPLETED), pack.count("programme", OVERDUE)])
    return rows


def completed_words(pack: BoardPack) -> str:
    """What the table counts, said once above it."""
    return ("Audits planned in the audit programme for the period, by team and template, "
            "with the audits completed (submitted, moderated or closed with an audit date in "
            "the planned period) and the drafts still open after the last day of their "
            f"planned period, as at {day_text(pack.figures.current.actions.as_at)}. A plan "
            "that runs past the end of the period is not counted here.")


def next_period_text(pack: BoardPack) -> str:
    """The period after the pack's, in words."""
    programme = pack.figures.programme
    if programme is None:
        return ""
    first, last = programme.next_period
    return f"{day_text(first)} to {day_text(last)}"


def next_rows(pack: BoardPack) -> list[list[str]]:
    """The lines planned for the period after the pack's."""
    programme = pack.figures.programme
    if programme is None:
        return []
    return [[f"{day_text(line.date_from)} to {day_text(line.date_to)}", line.team,
             programme.titles.get(line.template_key, line.template_key), f"{line.planned:,}"]
            for line in programme.next_lines]
