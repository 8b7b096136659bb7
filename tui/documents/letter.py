"""The family letter: the student report's facts in plain words, without jargon (issue 19).

Signed with the name, role, school and contact from settings (:class:`Signature`); one
attendance window, the one the student screen shows (the measure's ``CaseloadRow.dosage``:
since the latest phase change, else the goal's baseline, else joining the group —
``store.caseload.caseload_summary``); the story of each change of plan in plain words ("In
October, we added 10 minutes a day."); a small chart (HTML); and any language with a message
catalog (:mod:`tui.documents.i18n`): every sentence is a gettext message with named
placeholders, dates and numbers come from Babel in the letter's language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

from store.caseload import CaseloadRow
from store.db import Store
from store.dosage import StudentDosage
from store.model import Measure
from store.records import frozen_record
from tui.config import AppConfig
from tui.documents.i18n import N_, check_language, day_month, long_date, month_name, number
from tui.documents.i18n import translations as _translations
from tui.documents.model import Chart, Document, Lines, Para
from tui.documents.student import _chart, _config, _measure_rows

# (past tense, base form) of what the student did, per measure — plain words for families.
PLAIN: dict[str, tuple[str, str]] = {
    "ORF": (
        N_("{name} read {n} words correctly in one minute"),
        N_("read {n} words correctly in one minute"),
    ),
    "NWF": (
        N_("{name} read {n} sounds in made-up words in one minute"),
        N_("read {n} sounds in made-up words in one minute"),
    ),
    "LNF": (N_("{name} named {n} letters in one minute"), N_("name {n} letters in one minute")),
    "Maze": (
        N_("{name} picked the right missing word {n} times in a short story"),
        N_("pick the right missing word {n} times in a short story"),
    ),
    "MCOMP": (
        N_("{name} wrote {n} correct digits in math problems in one minute"),
        N_("write {n} correct digits in math problems in one minute"),
    ),
    "DBR": (
        N_("{name} earned a behaviour rating of {n} out of 10"),
        N_("earn a behaviour rating of {n} out of 10"),
    ),
    "DBR-AE": (
        N_("{name} was rated {n} out of 10 for staying focused on class work"),
        N_("be rated {n} out of 10 or higher for staying focused on class work"),
    ),
    "DBR-RS": (
        N_("{name} was rated {n} out of 10 for being respectful"),
        N_("be rated {n} out of 10 or higher for being respectful"),
    ),
    "DBR-DB": (  # lower is better
        N_("{name} was rated {n} out of 10 for disruptive behaviour (lower is better)"),
        N_("be rated {n} out of 10 or lower for disruptive behaviour"),
    ),
    "CICO": (
        N_("{name} earned {n}% of the daily behaviour points"),
        N_("earn {n}% or more of the daily behaviour points"),
    ),
}
SUBJECTS: dict[str, str] = {
    "ORF": N_("reading"),
    "NWF": N_("reading"),
    "LNF": N_("reading"),
    "Maze": N_("reading"),
    "MCOMP": N_("math"),
    "DBR": N_("behaviour"),
    "DBR-AE": N_("behaviour"),
    "DBR-RS": N_("behaviour"),
    "DBR-DB": N_("behaviour"),
    "CICO": N_("behaviour"),
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


@frozen_record
class Signature:
    """Who signs the letter (settings ``[you]``) and how (``[letters]`` closing). An empty
    name signs as "Your child's reading teacher" (or behaviour support, or support teacher)."""

    name: str = ""
    role: str = ""
    school: str = ""
    email: str = ""
    phone: str = ""
    closing: str = ""  # default: the catalog's "Warm regards,"


def settings_signature(settings: object) -> tuple[Signature, str]:
    """The letter's signature (``[you]`` name, role, school, email, phone and ``[letters]``
    closing) and language (``[letters]`` language; "" when unset) from a
    ``store.settings.Settings``."""
    you = getattr(settings, "you", None)
    letters = getattr(settings, "letters", None)

    def text(section: object, key: str) -> str:
        return str(getattr(section, key, "") or "")

    sig = Signature(
        name=text(you, "name"),
        role=text(you, "role"),
        school=text(you, "school"),
        email=text(you, "email"),
        phone=text(you, "phone"),
        closing=text(letters, "closing"),
    )
    return sig, text(letters, "language")


class _Words:
    """The letter's language: gettext messages, Babel dates and numbers."""

    def __init__(self, lang: str, today: date) -> None:
        self.lang = lang
        self.today = today
        self._t = _translations(lang)

    def __call__(self, message: str, **values: object) -> str:
        return self._t.gettext(message).format(**values)

    def plural(self, one: str, many: str, n: int, **values: object) -> str:
        return self._t.ngettext(one, many, n).format(n=n, **values)

    def long_date(self, d: date) -> str:
        return long_date(d, self.lang)

    def day(self, d: date) -> str:
        return day_month(d, self.today, self.lang)

    def month(self, d: date) -> str:
        return month_name(d, self.today, self.lang)

    def value(self, m: Measure, v: float) -> str:
        """A score as a family reads it: whole numbers without decimals ("3 out of 10", not
        "3.0"; the second reader of the Spanish letters asked for "8 de 10", not "8,0")."""
        whole = round(v, m.decimals) == round(v)
        return number(v, 0 if whole else m.decimals, self.lang)


def _plain_value(w: _Words, m: Measure, value: float) -> str:
    n = w.value(m, value)
    return w("{n}%", n=n) if m.code == "CICO" else n


def _did(w: _Words, m: Measure, name: str, value: float) -> str:
    n = w.value(m, value)
    if m.code in PLAIN:
        return w(PLAIN[m.code][0], name=name, n=n)
    return w("{name} scored {n} on {measure}", name=name, n=n, measure=m.name.lower())


def _to_do(w: _Words, m: Measure, value: float) -> str:
    n = w.value(m, value)
    if m.code in PLAIN:
        return w(PLAIN[m.code][1], n=n)
    return w("score {n} on {measure}", n=n, measure=m.name.lower())


def _when(w: _Words, d: date) -> str:
    monday = w.today - timedelta(days=w.today.weekday())
    if d >= monday:
        return w("this week")
    if d >= monday - timedelta(days=7):
        return w("last week")
    return w("on {day}", day=w.day(d))


def _plain_status(w: _Words, name: str, row: CaseloadRow) -> str:
    kind, status = row.decision.kind, row.decision.status
    if row.goal is None:
        if row.measure.behaviour or SUBJECTS.get(row.measure.code) == "behaviour":
            return w("We will keep an eye on how {name}'s school days go.", name=name)
        return w("We will keep checking {name}'s progress every week or two.", name=name)
    messages: dict[str, str] = {
        "low-dosage": N_(
            "{name} has missed some group time. We are working to make sure {name} gets every "
            "planned session before we decide whether to change anything."
        ),
        "low-fidelity": N_(
            "We are checking our records of {name}'s group time before we decide whether to "
            "change anything."
        ),
        "goal-met": N_("{name} has reached this goal, so we will set a new one."),
        "goal-missed": N_(
            "The date we set for this goal has passed and {name} has not reached it yet, so we "
            "are looking at the plan again."
        ),
        "questionable-response": N_(
            "{name} has had several days below the goal recently, so we are looking at ways "
            "to help."
        ),
    }
    messages["not-logged"] = messages["low-fidelity"]
    if kind in messages:
        return w(messages[kind], name=name)
    if kind == "raise-goal" or status == "above":
        return w("{name} is ahead of where we hoped, so we may set a higher goal.", name=name)
    if kind == "change" or status == "below":
        return w(
            "{name} is not yet on track to meet this goal, so we are looking at ways to give "
            "more or different help.",
            name=name,
        )
    if kind == "continue":
        return w("{name} is on track to meet this goal.", name=name)
    return w("It is still early, so we will keep checking {name}'s progress each week.", name=name)


def _plain_measure(w: _Words, name: str, row: CaseloadRow) -> str | None:
    m = row.measure
    pts = row.progress.points
    if not pts:
        return None
    (first_day, first), (last_day, last) = pts[0], pts[-1]
    sentence = w("{did} {when}", did=_did(w, m, name, last), when=_when(w, last_day))
    if len(pts) > 1 and first_day != last_day:
        start = w.month(first_day)
        then = _plain_value(w, m, first)
        better = last > first if m.higher_is_better else last < first
        if last == first:
            sentence = w("{sentence}, the same as in {month}", sentence=sentence, month=start)
        elif better and last > first:
            sentence = w(
                "{sentence}, up from {then} in {month}", sentence=sentence, then=then, month=start
            )
        elif better:
            sentence = w(
                "{sentence}, down from {then} in {month}",
                sentence=sentence,
                then=then,
                month=start,
            )
        else:
            sentence = w(
                "{sentence}, compared with {then} in {month}",
                sentence=sentence,
                then=then,
                month=start,
            )
    parts = [w("{sentence}.", sentence=sentence[0].upper() + sentence[1:])]
    if row.goal is not None:
        g = row.goal
        parts.append(
            w(
                "Our goal is for {name} to {to_do} by {day}.",
                name=name,
                to_do=_to_do(w, m, g.goal_value),
                day=w.day(g.goal_date),
            )
        )
    parts.append(_plain_status(w, name, row))
    return " ".join(parts)


def _change_story(w: _Words, name: str, rows: Iterable[CaseloadRow]) -> list[str]:
    """Each change of plan in plain words, oldest first: "In October, we added 10 minutes a
    day." (a label that starts with a past-tense verb), else "In October, we changed Ava's
    plan: <label>." The label is the teacher's own words, kept as written."""
    seen: set[tuple[date, str]] = set()
    out = []
    changes = sorted((p.date, p.label.strip()) for r in rows for p in r.progress.phase_changes)
    for d, label in changes:
        if (d, label) in seen or not label:
            continue
        seen.add((d, label))
        first, _, rest = label.partition(" ")
        if w.lang == "en" and first.lower().endswith("ed") and rest:
            out.append(
                w("In {month}, we {what}.", month=w.month(d), what=first.lower() + " " + rest)
            )
        else:
            if first[:1].isupper() and first[1:].islower():  # "Moved to…", not "ORF" or "1:1"
                label = label[0].lower() + label[1:]
            out.append(
                w(
                    "In {month}, we changed {name}'s plan: {what}.",
                    month=w.month(d),
                    name=name,
                    what=label.rstrip("."),
                )
            )
    return out


def _topic(rows: Iterable[CaseloadRow]) -> tuple[str, list[str]]:
    """What the letter is about: ``academic`` (reading/math), ``mixed`` (reading or math and
    behaviour), ``behaviour`` or ``other``, and the academic subjects in order. A custom
    measure marked behaviour counts as behaviour (the Spanish second reader: a behaviour
    letter must not speak of "behaviour skills" or daily practice)."""
    kinds = [SUBJECTS.get(r.measure.code, "behaviour" if r.measure.behaviour else "") for r in rows]
    academic = list(dict.fromkeys(k for k in kinds if k in ("reading", "math")))
    behaviour = "behaviour" in kinds
    if academic:
        return ("mixed" if behaviour else "academic"), academic
    return ("behaviour" if behaviour else "other"), []


def _subject(w: _Words, academic: list[str]) -> str:
    """The academic subjects in words: "reading", "math", "reading and math"."""
    if len(academic) == 2:
        return w("{a} and {b}", a=w(academic[0]), b=w(academic[1]))
    return w(academic[0]) if academic else ""


def _intro(w: _Words, topic: str, name: str, subject: str) -> str:
    if topic == "academic":
        return w(
            "{name} has been working in a small group at school to build {subject} skills. "
            "Every week or two, we check {name}'s progress with a short activity. "
            "Here is how {name} is doing.",
            name=name,
            subject=subject,
        )
    if topic == "mixed":
        return w(
            "{name} has been working in a small group to build {subject} skills and has been "
            "getting extra help to practise positive behaviour at school. We check {name}'s "
            "progress often, with short activities and notes from {name}'s teachers. "
            "Here is how {name} is doing.",
            name=name,
            subject=subject,
        )
    if topic == "behaviour":
        return w(
            "{name} has been getting extra help at school to practise positive behaviour. "
            "{name}'s teachers note how each day goes, and we look at {name}'s progress "
            "often. Here is how {name} is doing.",
            name=name,
        )
    return w(
        "{name} has been getting extra help in a small group at school. Every week or two, "
        "we check {name}'s progress with a short activity. Here is how {name} is doing.",
        name=name,
    )


def _thanks(w: _Words, topic: str, name: str) -> str:
    if topic == "academic":
        return w(
            "Thank you for your support at home. A few minutes of practice together each "
            "day makes a real difference. If you have any questions, please get in touch."
        )
    if topic == "mixed":
        return w(
            "Thank you for your support at home. A few minutes of practice together each "
            "day, and asking {name} how the school day went, make a real difference. If you "
            "have any questions, please get in touch.",
            name=name,
        )
    if topic == "behaviour":
        return w(
            "Thank you for your support at home. Asking {name} about the school day and "
            "praising what went well make a real difference. If you have any questions, "
            "please get in touch.",
            name=name,
        )
    return w("Thank you for your support at home. If you have any questions, please get in touch.")


def _attendance(w: _Words, name: str, d: StudentDosage | None) -> str | None:
    """The student screen's window and counts, in words (sessions held = logged)."""
    if d is None or not d.sessions_logged:
        return None
    return w.plural(
        "Since {day}, {name} came to {attended} of the {n} group session we held.",
        "Since {day}, {name} came to {attended} of the {n} group sessions we held.",
        d.sessions_logged,
        day=w.day(d.start),
        name=name,
        attended=d.sessions_attended,
    )


def _unsigned(w: _Words, topic: str, subject: str) -> str:
    """Who signs a letter without a name in settings, by what the letter is about."""
    if topic in ("academic", "mixed"):
        return w("Your child's {subject} teacher", subject=subject)
    if topic == "behaviour":
        return w("Your child's behaviour support teacher")
    return w("Your child's support teacher")


def _signature(w: _Words, signature: Signature, topic: str, subject: str) -> Lines:
    closing = signature.closing.strip() or w("Warm regards,")
    if not signature.name.strip():
        return Lines((closing, _unsigned(w, topic, subject)))
    lines = [closing, signature.name.strip()]
    role_school = ", ".join(x.strip() for x in (signature.role, signature.school) if x.strip())
    if role_school:
        lines.append(role_school)
    contact = " · ".join(x.strip() for x in (signature.email, signature.phone) if x.strip())
    if contact:
        lines.append(contact)
    return Lines(tuple(lines))


def _small_chart(w: _Words, row: CaseloadRow, today: date, config: AppConfig, name: str) -> Chart:
    """The first measure's chart without staff marks (no trend, no labels), and a caption."""
    chart = _chart(row, today, config, small=True)
    label = w(
        "Chart of {name}'s scores since {month}, with the path to the goal.",
        name=name,
        month=w.month(row.progress.points[0][0]),
    )
    data = dataclasses.replace(
        chart.data,
        trend=None,
        trend_label="",
        goal_label="",
        title=label,
        phases=(),
        aim_path=(),  # only the line in force: one path to the goal
    )
    caption = w(
        "Each dot is one of {name}'s scores; the line shows the path to the goal.", name=name
    )
    return dataclasses.replace(chart, data=data, label=label, caption=caption, lang=w.lang)


def letter_document(
    store: Store,
    student_id: str,
    *,
    today: date,
    config: AppConfig | None = None,
    signature: Signature | None = None,
    lang: str = "en",
) -> Document:
    """The family letter as blocks in ``lang`` (a catalog in ``tui/locale``; LanguageError
    otherwise): plain language, no jargon, no group or program names."""
    w = _Words(check_language(lang), today)
    cfg = _config(config)
    sig = signature or Signature()
    student = store.student(student_id)
    name = student.given_name
    rows, _ = _measure_rows(store, student, today, cfg)
    with_data = [r for r in rows if r.progress.points]
    topic, academic = _topic(with_data or rows)
    subject = _subject(w, academic)
    doc = Document(w("A note about {student}'s progress", student=student.name), students=1)
    doc.lang = w.lang
    doc.add(Lines((w.long_date(today),)))
    doc.add(Para(w("Dear family of {student},", student=student.name)))
    doc.add(Para(_intro(w, topic, name, subject)))
    for row in with_data:
        text = _plain_measure(w, name, row)
        if text:
            doc.add(Para(text))
    if with_data and with_data[0].goal is not None:
        doc.add(_small_chart(w, with_data[0], today, cfg, name))
    story = _change_story(w, name, with_data)
    if story:
        doc.add(Para(" ".join(story)))
    if not with_data:
        doc.add(
            Para(
                w(
                    "{name} is just getting started, so we do not have results to share yet.",
                    name=name,
                )
            )
        )
    main = (with_data or rows)[0].dosage if (with_data or rows) else None
    attended = _attendance(w, name, main)
    if attended:
        doc.add(Para(attended))
    doc.add(Para(_thanks(w, topic, name)))
    doc.add(_signature(w, sig, topic, subject))
    return doc
