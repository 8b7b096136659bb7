"""The family letter: the student report's facts in plain words, without jargon."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from store.caseload import CaseloadRow
from store.db import Store
from store.model import Measure
from tui.config import AppConfig
from tui.documents.model import Document, Lines, Para
from tui.documents.student import _config, _measure_rows, _overall_dosage
from tui.documents.words import _long_day

# (past tense, base form) of what the student did, per measure — plain words for families.
PLAIN: dict[str, tuple[str, str]] = {
    "ORF": ("read {n} words correctly in one minute", "read {n} words correctly in one minute"),
    "NWF": (
        "read {n} sounds in made-up words in one minute",
        "read {n} sounds in made-up words in one minute",
    ),
    "LNF": ("named {n} letters in one minute", "name {n} letters in one minute"),
    "Maze": (
        "picked the right missing word {n} times in a short story",
        "pick the right missing word {n} times in a short story",
    ),
    "MCOMP": (
        "wrote {n} correct digits in math problems in one minute",
        "write {n} correct digits in math problems in one minute",
    ),
    "DBR": (
        "earned a behaviour rating of {n} out of 10",
        "earn a behaviour rating of {n} out of 10",
    ),
    "DBR-AE": (
        "was rated {n} out of 10 for staying focused on class work",
        "be rated {n} out of 10 or higher for staying focused on class work",
    ),
    "DBR-RS": (
        "was rated {n} out of 10 for being respectful",
        "be rated {n} out of 10 or higher for being respectful",
    ),
    "DBR-DB": (  # lower is better
        "was rated {n} out of 10 for disruptive behaviour (lower is better)",
        "be rated {n} out of 10 or lower for disruptive behaviour",
    ),
    "CICO": (
        "earned {n}% of the daily behaviour points",
        "earn {n}% or more of the daily behaviour points",
    ),
}
SUBJECTS: dict[str, str] = {
    "ORF": "reading",
    "NWF": "reading",
    "LNF": "reading",
    "Maze": "reading",
    "MCOMP": "math",
    "DBR": "behaviour",
    "DBR-AE": "behaviour",
    "DBR-RS": "behaviour",
    "DBR-DB": "behaviour",
    "CICO": "behaviour",
}
# Words a family letter must not use (DOMAIN.md vocabulary is for staff).
JARGON: tuple[str, ...] = (
    "ROI",
    "aim line",
    "trend",
    "intervention fidelity",
    "fidelity",
    "probe",
    "CBM",
    "baseline",
    "phase",
    "tier",
    "dosage",
)


def _plain_value(m: Measure, value: float) -> str:
    return m.format(value) + ("%" if m.code == "CICO" else "")


def _did(m: Measure, value: float, past: bool = True) -> str:
    n = _plain_value(m, value)
    if m.code in PLAIN:
        return PLAIN[m.code][0 if past else 1].format(n=m.format(value))
    return f"{'scored' if past else 'score'} {n} on {m.name.lower()}"


def _when(d: date, today: date) -> str:
    monday = today - timedelta(days=today.weekday())
    if d >= monday:
        return "this week"
    if d >= monday - timedelta(days=7):
        return "last week"
    return f"on {_long_day(d, today)}"


def _plain_status(name: str, row: CaseloadRow) -> str:
    kind, status = row.decision.kind, row.decision.status
    if row.goal is None:
        return f"We will keep checking {name}'s progress every week or two."
    if kind == "low-dosage":
        return (
            f"{name} has missed some group time. We are working to make sure {name} gets every "
            "planned session before we decide whether to change anything."
        )
    if kind in ("low-fidelity", "not-logged"):
        return (
            f"We are checking our records of {name}'s group time before we decide whether to "
            "change anything."
        )
    if kind == "goal-met":
        return f"{name} has reached this goal, so we will set a new one."
    if kind == "goal-missed":
        return (
            f"The date we set for this goal has passed and {name} has not reached it yet, so we "
            "are looking at the plan again."
        )
    if kind == "questionable-response":
        return (
            f"{name} has had several days below the goal recently, so we are looking at ways "
            "to help."
        )
    if kind == "raise-goal" or status == "above":
        return f"{name} is ahead of where we hoped, so we may set a higher goal."
    if kind == "change" or status == "below":
        return (
            f"{name} is not yet on track to meet this goal, so we are looking at ways to "
            "give more or different help."
        )
    if kind == "continue":
        return f"{name} is on track to meet this goal."
    return f"It is still early, so we will keep checking {name}'s progress each week."


def _plain_measure(name: str, row: CaseloadRow, today: date) -> str | None:
    m = row.measure
    pts = row.progress.points
    if not pts:
        return None
    (first_day, first), (last_day, last) = pts[0], pts[-1]
    when = _when(last_day, today)
    sentence = f"{name} {_did(m, last)} {when}"
    if len(pts) > 1 and first_day != last_day:
        start = (
            f"{first_day:%B}"
            if first_day.year == today.year or ((today - first_day).days < 300)
            else f"{first_day:%B %Y}"
        )
        better = last > first if m.higher_is_better else last < first
        if last == first:
            sentence += f", the same as in {start}"
        elif better:
            word = "up" if last > first else "down"
            sentence += f", {word} from {_plain_value(m, first)} in {start}"
        else:
            sentence += f", compared with {_plain_value(m, first)} in {start}"
    sentence = sentence[0].upper() + sentence[1:] + "."
    parts = [sentence]
    if row.goal is not None:
        g = row.goal
        goal_date = _long_day(g.goal_date, today)
        parts.append(
            f"Our goal is for {name} to {_did(m, g.goal_value, past=False)} by {goal_date}."
        )
    parts.append(_plain_status(name, row))
    return " ".join(parts)


def _subject(rows: Iterable[CaseloadRow]) -> str:
    subjects = list(dict.fromkeys(SUBJECTS.get(r.measure.code, "support") for r in rows))
    academic = [s for s in subjects if s in ("reading", "math")]
    if academic:
        return " and ".join(academic)
    return subjects[0] if subjects else "support"


def letter_document(
    store: Store, student_id: str, *, today: date, config: AppConfig | None = None
) -> Document:
    """The family letter as blocks: plain language, no jargon, no group or program names."""
    cfg = _config(config)
    student = store.student(student_id)
    name = student.given_name
    rows, _ = _measure_rows(store, student, today, cfg)
    with_data = [r for r in rows if r.progress.points]
    subject = _subject(with_data or rows)
    doc = Document(f"A note about {student.name}'s progress", students=1)
    doc.add(Lines((f"{today:%B} {today.day}, {today.year}",)))
    doc.add(Para(f"Dear family of {student.name},"))
    doc.add(
        Para(
            f"{name} has been working in a small group at school to build {subject} skills. "
            f"Every week or two, we check {name}'s progress with a short activity. "
            f"Here is how {name} is doing."
        )
    )
    for row in with_data:
        text = _plain_measure(name, row, today)
        if text:
            doc.add(Para(text))
    if not with_data:
        doc.add(Para(f"{name} is just getting started, so we do not have results to share yet."))
    dosage = _overall_dosage(store, student, today)
    if dosage is not None and dosage.sessions_planned:
        doc.add(
            Para(
                f"Since {_long_day(dosage.start, today)}, {name} came to "
                f"{dosage.sessions_attended} of the {dosage.sessions_logged} group sessions "
                "we held."
            )
        )
    doc.add(
        Para(
            "Thank you for your support at home. A few minutes of practice together each day "
            "makes a real difference. If you have any questions, please get in touch."
        )
    )
    doc.add(Lines(("Warm regards,", f"Your child's {subject} teacher")))
    return doc
