"""Who changed what and when on a centre: its listing, hours, closures and team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.utils.translation import gettext as _

from centres.models import Centre, ExceptionalDay, Membership, OpeningSlot

IGNORED = {
    "id",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "created_at",
    "updated_at",
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    action: str
    changes: list[Change]


ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        base, _sep, language = name.rpartition("_")
        return f"{model._meta.get_field(base).verbose_name} ({language})"


def _show(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


def _entries(records, model, describe) -> list[Entry]:
    """Pair each historical record with the previous one of the same object."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    entries = []
    fields = [f.attname for f in records.model._meta.fields if f.attname not in IGNORED]
    for versions in by_object.values():
        versions.sort(key=lambda r: r.history_id)
        for previous, record in pairwise([None, *versions]):
            changes = []
            if record.history_type == "~" and previous is not None:
                for name in fields:
                    old, new = getattr(previous, name), getattr(record, name)
                    if old != new:
                        changes.append(
                            Change(_label(model, name.removesuffix("_id")), _show(old), _show(new))
                        )
                if not changes:
                    continue
            user = record.history_user
            entries.append(
                Entry(
                    when=record.history_date,
                    who=str(user) if user else _("system"),
                    what=describe(record),
                    action=ACTIONS[record.history_type],
                    changes=changes,
                )
            )
    return entries


def centre_history(centre: Centre) -> list[Entry]:
    """Every recorded change, newest first (4 queries, whatever the length)."""
    entries = _entries(
        Centre.history.filter(id=centre.pk).select_related("history_user"),
        Centre,
        lambda r: _("Listing"),
    )
    entries += _entries(
        OpeningSlot.history.filter(centre_id=centre.pk).select_related("history_user"),
        OpeningSlot,
        lambda r: (
            _("Opening hours: %(slot)s")
            % {"slot": OpeningSlot(weekday=r.weekday, opens=r.opens, closes=r.closes)}
        ),
    )
    entries += _entries(
        ExceptionalDay.history.filter(centre_id=centre.pk).select_related("history_user"),
        ExceptionalDay,
        lambda r: _("Exceptional day: %(date)s") % {"date": r.date.isoformat()},
    )
    entries += _entries(
        Membership.history.filter(centre_id=centre.pk).select_related("history_user", "user"),
        Membership,
        lambda r: _("Team: %(person)s") % {"person": r.user},
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)
