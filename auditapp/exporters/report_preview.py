"""The live preview of a board report being written: its front sheet, its words as typed and
its headline figures, as HTML for the desktop's preview pane (built from plain data)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from auditapp.inputs.board_words import NARRATIVE, narrative_of
from auditapp.rules.actions import ActionState
from auditapp.rules.grades import Grade
from auditapp.rules.markings import MEANINGS
from auditapp.rules.wording import day_text
from auditapp.services.reporting.board_figures import BoardPack
from auditapp.services.reporting.board_reports import (
    NONE_WRITTEN,
    NOT_WRITTEN,
    REQUIRED,
    ReportRow,
    ReportSettings,
)


def preview_html(row: ReportRow, words: Mapping[str, str], council: str,
                 figures: BoardPack | str | None) -> str:
    """The preview of ``row`` with ``words`` (part -> text as typed); ``figures`` is the
    report's protected figures, a sentence saying why there are none, or None while they
    are being read."""
    settings = row.settings
    parts = [*_front_sheet(settings, council, row.frozen),
             "<h3>Headline figures</h3>", *_figures(figures)]
    for part, heading in NARRATIVE.items():
        parts.append(f"<h3>{escape(heading)}</h3>")
        text = words.get(part, "")
        if not text.strip():
            empty = NOT_WRITTEN if part in REQUIRED else NONE_WRITTEN
            parts.append(f"<p style='color:#777'><i>{escape(empty)}</i></p>")
            continue
        texts, is_list = narrative_of(text)
        if is_list:
            tag = "ol" if part == "recommendations" else "ul"
            parts.append(f"<{tag}>" + "".join(f"<li>{escape(t)}</li>" for t in texts)
                         + f"</{tag}>")
        else:
            parts += [f"<p>{escape(t)}</p>" for t in texts]
    return "\n".join(parts)


def _front_sheet(settings: ReportSettings, council: str, released: bool) -> list[str]:
    marking = escape(settings.marking) + ("" if released else " \u00b7 DRAFT")
    return [
        f"<p style='text-align:right'><b>{marking}</b></p>",
        *([f"<p><b>{escape(council)}</b></p>"] if council else []),
        f"<h2>{escape(settings.title)}</h2>",
        "<table cellpadding='3'>",
        *(f"<tr><td><b>{label}</b></td><td>{escape(value)}</td></tr>" for label, value in (
            ("Committee and meeting",
             f"{settings.committee} \u2013 {day_text(settings.meeting_date)}"),
            ("Report author", settings.author),
            ("Period", f"{day_text(settings.date_from)} to {day_text(settings.date_to)}"),
            ("Audits counted", settings.scope_text()),
            ("Protective marking",
             f"{settings.marking}: {MEANINGS.get(settings.marking, '')}"),
            ("Small numbers", f"counts below {settings.threshold} withheld"))),
        "</table>",
    ]


def _figures(figures: BoardPack | str | None) -> list[str]:
    if figures is None:
        return ["<p style='color:#777'><i>Reading the figures\u2026</i></p>"]
    if isinstance(figures, str):
        return [f"<p style='color:#9c2a00'>{escape(figures)}</p>"]
    whole = ("overall", "total")
    inadequate = ("overall", Grade.INADEQUATE.label)
    rows = (
        ("Audits completed", figures.count(*whole)),
        ("Good or better", figures.share_with_interval(("overall", "gob"), whole)),
        ("Inadequate", figures.share_with_interval(inadequate, whole)),
        ("Actions raised", f"{figures.count('actions', 'raised')} ("
                           f"{figures.count('actions', ActionState.OVERDUE)} overdue)"),
    )
    return ["<table cellpadding='3'>",
            *(f"<tr><td>{label}</td><td><b>{escape(str(value))}</b></td></tr>"
              for label, value in rows),
            "</table>",
            "<p><small>As the PDF and the Word edition print them: small numbers withheld. "
            "The full figures are in the produced report.</small></p>"]
