"""Writing the audit trail.  Entries are only ever added (the database refuses changes)."""

from __future__ import annotations

from sqlmodel import Session

from records.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    field_name: str | None = None,
    old_value: str | None = None,
    new_value: str | None = None,
    ocr_value: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add one audit entry to ``session`` (committed with the change it describes)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        field_name=field_name,
        old_value=old_value,
        new_value=new_value,
        ocr_value=ocr_value,
        reason=reason,
    )
    session.add(entry)
    return entry
