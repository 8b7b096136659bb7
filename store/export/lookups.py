"""Finding a student or a group from what someone typed: an id, a name or a name prefix."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from store.db import Store
from store.errors import ValidationError
from store.model import Group, Student


def _ambiguous(what: str, text: str, names: Sequence[str]) -> ValidationError:
    shown = ", ".join(names[:8]) + (f", … ({len(names) - 8} more)" if len(names) > 8 else "")
    return ValidationError(
        f"{text!r} matches {len(names)} {what}s: {shown}; type more of the name or use the id",
        field=what,
        value=text,
    )


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching what people type (``zoe`` = ``Zoë``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_student(store: Store, text: str) -> Student:
    """A student by id, SIS id, full name or unique name prefix (case- and accent-insensitive;
    "Given Family", "Family" or "Family, Given"). Current students are preferred over archived ones. ValidationError when
    nothing or more than one student matches (the message lists the candidates)."""
    key = (text or "").strip()
    if not key:
        raise ValidationError("give a student (id or name)", field="student", value=text)
    everyone = store.students(include_archived=True)
    for s in everyone:
        if s.id == key or (s.sis_id and s.sis_id == key):
            return s
    cf = fold(key)
    for pool in ([s for s in everyone if s.active], [s for s in everyone if not s.active]):
        exact = [s for s in pool if fold(s.name) == cf]
        if len(exact) == 1:
            return exact[0]
        matches = exact or [
            s
            for s in pool
            if fold(s.name).startswith(cf)
            or fold(s.family_name).startswith(cf)
            or fold(f"{s.family_name}, {s.given_name}").startswith(cf)
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _ambiguous("student", key, [f"{s.name} ({s.id})" for s in matches])
    raise ValidationError(f"no student matches {key!r}", field="student", value=text)


def find_group(store: Store, text: str) -> Group:
    """A group by id, name or unique name prefix (case-insensitive)."""
    key = (text or "").strip()
    if not key:
        raise ValidationError("give a group (id or name)", field="group", value=text)
    groups = store.groups(include_inactive=True)
    for g in groups:
        if g.id == key:
            return g
    cf = fold(key)
    exact = [g for g in groups if fold(g.name) == cf]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [g for g in groups if fold(g.name).startswith(cf)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise _ambiguous("group", key, [f"{g.name} ({g.id})" for g in matches])
    raise ValidationError(f"no group matches {key!r}", field="group", value=text)
