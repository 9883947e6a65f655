"""The release register: which board packs were released for publication, and the rule that
makes differencing between them impossible.

Two published packs whose audit sets overlap but differ can be subtracted: the audits in one
and not the other are isolated, however well each pack's own small counts are withheld (1 Apr
to 30 Sep, then 1 Apr to 18 Sep, gives away the audits of the last twelve days). The register
refuses any release that counts an audit a registered release already counts, so the audit
sets of any two releases are disjoint; then no difference of released figures is a figure
about fewer audits than some release already protects (each release's own suppression
covers it, and the union of disjoint releases only adds counts up). The one exception is the
same release rebuilt: identical audits at identical revisions and identical figures, which
publishes nothing new.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auditapp.errors import UserError
from auditapp.models import Release, ReleasedAudit, new_uid
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.rules.wording import day_text
from auditapp.services.reporting.manifest import Manifest
from auditapp.storage.engine import Database


def register_release(db: Database, manifest: Manifest, actor: Actor) -> str:
    """Record the board pack of ``manifest`` as released by ``actor``; returns the release's
    uid (an existing one for the same release rebuilt).

    Raises ``PermissionDeniedError`` unless ``actor`` is a practice lead, and ``UserError``
    naming the release it overlaps when any audit it counts is counted by another release.
    """
    require(actor, Permission.RELEASE_REPORTS)
    try:
        with db.transaction() as session:
            return record_release(session, manifest, actor)
    except IntegrityError as exc:  # another release took one of these audits meanwhile
        raise UserError(RACED) from exc


#: The refusal when another release took some of the audits between the check and the write.
RACED = ("Another board pack was released with some of these audits while this one was being "
         "made; nothing was released.")


def record_release(session: Session, manifest: Manifest, actor: Actor) -> str:
    """:func:`register_release` inside the caller's transaction (which checked the
    permission, and turns an ``IntegrityError`` on commit into :data:`RACED`)."""
    counted = {a.uid: a.revision for a in manifest.audits}
    first, last = manifest.scope.ends()
    overlapping = session.scalars(
        select(ReleasedAudit.release_id).where(
            ReleasedAudit.audit_uid.in_(list(counted))).distinct()).all()
    if overlapping:
        return _same_release(session, sorted(overlapping), counted, manifest.figures_hash)
    release = Release(uid=new_uid(), actor_id=actor.id, date_from=first, date_to=last,
                      team=manifest.scope.team, template_key=manifest.scope.template_key,
                      threshold=manifest.threshold or 0, figures_hash=manifest.figures_hash)
    session.add(release)
    session.flush()
    session.add_all(ReleasedAudit(release_id=release.id, audit_uid=uid, revision=rev)
                    for uid, rev in sorted(counted.items()))
    return release.uid


def _same_release(session: Session, ids: list[int], counted: dict[str, int],
                  figures: str) -> str:
    """The uid of the release these audits and figures are exactly, else the refusal."""
    release = session.get_one(Release, ids[0])
    registered = dict(session.execute(
        select(ReleasedAudit.audit_uid, ReleasedAudit.revision)
        .where(ReleasedAudit.release_id == release.id)).all())
    if len(ids) == 1 and registered == counted and release.figures_hash == figures:
        return release.uid
    shared = sum(1 for uid in counted if uid in registered)
    raise UserError(
        f"Not released: {shared} of its audits are counted by release {release.uid} "
        f"({day_text(release.date_from)} to {day_text(release.date_to)}, released by "
        f"{release.actor} on {day_text(release.released_at.date())}); released packs must "
        "count disjoint audits. Export it as a draft, or choose a period after that release.")
