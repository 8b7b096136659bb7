"""The user's settings file (issue 19): who signs the letters, their language, the decision
rule's thresholds, the school year and a keymap.

A TOML file (``settings.toml`` in the platform's config folder, ``$INTERVENE_SETTINGS`` to
override; shown by ``intervene paths``), read with :mod:`tomllib` and written with
:mod:`tomlkit` so a user's comments and layout survive a save.

Every key is checked on its own: a bad value is refused with the key, the value and what is
allowed, the default is used instead and :func:`load_settings` returns the refusal as a
warning line (the app shows it on start). A missing file is the defaults, silently.

The school year's one source of truth is the store's calendar (``Store.calendar``); the
file's ``[school_year]`` is an input: when set, the app applies it to the store on start
(see ``school_year`` below), and the settings screen writes both.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import field, fields
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from store.config import DecisionConfig
from store.errors import StoreError, ValidationError
from store.records import frozen_record

__all__ = [
    "LANGUAGES",
    "SETTINGS_ENV",
    "DecisionConfig",
    "Letters",
    "SchoolYear",
    "Settings",
    "You",
    "default_settings_path",
    "load_settings",
    "save_settings",
    "settings_to_doc",
]

SETTINGS_ENV = "INTERVENE_SETTINGS"
SETTINGS_FILE = "settings.toml"
Language = Literal["en", "es"]
#: The letters' languages (a translation file each in tui/documents).
LANGUAGES: tuple[str, ...] = get_args(Language)
_MAX_TEXT = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./\- x]{3,40}$")
#: The decision keys a user is offered first (the settings screen shows these).
DECISION_KEYS = (
    "rule",
    "point_n",
    "point_min",
    "trend_min",
    "trend_tolerance",
    "min_weeks",
    "dosage_target",
    "fidelity_target",
    "plausibility_jump",
)


def default_settings_path() -> Path:
    """``$INTERVENE_SETTINGS`` if set, else ``settings.toml`` in the user's config folder."""
    override = os.environ.get(SETTINGS_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("intervene", appauthor=False)) / SETTINGS_FILE


def _text(
    value: object, key: str, *, pattern: re.Pattern[str] | None = None, what: str = ""
) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{key} = {value!r}: must be text in quotes", field=key, value=value)
    text = " ".join(value.split())
    if len(text) > _MAX_TEXT:
        raise ValidationError(
            f"{key} is {len(text)} characters: at most {_MAX_TEXT} allowed", field=key, value=value
        )
    if text and pattern is not None and not pattern.match(text):
        raise ValidationError(f"{key} = {value!r}: must be {what}", field=key, value=value)
    return text


@frozen_record
class You:
    """Who signs the family letters and the packet (all optional; blank is left out)."""

    name: str = ""
    role: str = ""
    school: str = ""
    email: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            key = f"you.{f.name}"
            if f.name == "email":
                _text(self.email, key, pattern=_EMAIL, what="an email address like a@b.org")
            elif f.name == "phone":
                _text(self.phone, key, pattern=_PHONE, what="a phone number (digits, + - ( ) .)")
            else:
                _text(getattr(self, f.name), key)

    @property
    def signature(self) -> list[str]:
        """The signature's lines: name, role, school, then email and phone (blank omitted)."""
        contact = " · ".join(x for x in (self.email, self.phone) if x)
        return [x for x in (self.name, self.role, self.school, contact) if x]


@frozen_record
class Letters:
    """Family letters: their language ("en" or "es") and an optional closing line."""

    language: str = "en"
    closing: str = ""

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValidationError(
                f"letters.language = {self.language!r}: allowed {', '.join(map(repr, LANGUAGES))}",
                field="letters.language",
                value=self.language,
            )
        _text(self.closing, "letters.closing")


@frozen_record
class SchoolYear:
    """The school year's first and last day as the file gives them (None: not set there)."""

    first: date | None = None
    last: date | None = None

    def __post_init__(self) -> None:
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
                raise ValidationError(
                    f"school_year.{name} = {value!r}: must be a date like 2026-08-24 (no quotes)",
                    field=f"school_year.{name}",
                    value=value,
                )
        if self.first and self.last and self.last <= self.first:
            raise ValidationError(
                f"school_year.last = {self.last}: must be after school_year.first {self.first}",
                field="school_year.last",
                value=self.last,
            )
        if self.first and self.last and (self.last - self.first).days > 400:
            raise ValidationError(
                f"school_year.last = {self.last}: more than a year after {self.first}",
                field="school_year.last",
                value=self.last,
            )

    @property
    def is_set(self) -> bool:
        return self.first is not None and self.last is not None


_KEY_ID = re.compile(r"^[a-z_][a-z0-9_.\-]*$")
_KEYS = re.compile(r"^[A-Za-z0-9_+\-,]+$")


def _check_keys(keys: object) -> dict[str, str]:
    if not isinstance(keys, dict):
        raise ValidationError('[keys] must be a table of binding id = "keys"', field="keys")
    out: dict[str, str] = {}
    for binding_id, value in keys.items():
        out[binding_id] = _check_key(binding_id, value)
    return out


def _check_key(binding_id: object, value: object) -> str:
    key = f"keys.{binding_id}"
    if not isinstance(binding_id, str) or not _KEY_ID.match(binding_id):
        raise ValidationError(
            f"{key}: a binding id is lower-case words with dots, e.g. today.log",
            field=key,
            value=binding_id,
        )
    if not isinstance(value, str) or not value.strip() or not _KEYS.match(value.replace(" ", "")):
        raise ValidationError(
            f'{key} = {value!r}: must be key names in quotes, comma-separated, e.g. "ctrl+l,f2"',
            field=key,
            value=value,
        )
    return ",".join(part.strip() for part in value.split(",") if part.strip())


@frozen_record
class Settings:
    """Everything in the settings file. ``keys``: binding id → keys ("ctrl+l,f2"), applied
    with Textual's ``App.set_keymap``."""

    you: You = field(default_factory=You)
    letters: Letters = field(default_factory=Letters)
    decisions: DecisionConfig = field(default_factory=DecisionConfig)
    school_year: SchoolYear = field(default_factory=SchoolYear)
    keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_keys(self.keys)


# --- reading ---------------------------------------------------------------------------------

_DECISION_FIELDS = {f.name: f for f in fields(DecisionConfig)}
_DECISION_DEFAULTS = DecisionConfig()


def _decision_value(name: str, value: object) -> Any:
    """``value`` checked against the type of DecisionConfig's field ``name``."""
    default = getattr(_DECISION_DEFAULTS, name)
    key = f"decisions.{name}"
    if name == "point_of_last":
        if value in ("", 0, None):
            return None
        default = 0
    if isinstance(default, bool) or isinstance(value, bool):
        raise ValidationError(f"{key} = {value!r}: must be a number", field=key, value=value)
    if isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int) or value < 1:
            raise ValidationError(
                f"{key} = {value!r}: must be a whole number, 1 or more", field=key, value=value
            )
        return value
    if isinstance(default, float):
        if not isinstance(value, (int, float)) or value < 0:
            raise ValidationError(
                f"{key} = {value!r}: must be a number, 0 or more", field=key, value=value
            )
        return float(value)
    if not isinstance(value, str):
        raise ValidationError(f"{key} = {value!r}: must be text in quotes", field=key, value=value)
    return value


def _decisions(doc: object, warnings: list[str]) -> DecisionConfig:
    config = DecisionConfig()
    if not isinstance(doc, dict):
        warnings.append("[decisions] is not a table; the default decision rule is used")
        return config
    for name, value in doc.items():
        key = f"decisions.{name}"
        if name not in _DECISION_FIELDS:
            warnings.append(f"{key}: unknown key, ignored (allowed: {', '.join(DECISION_KEYS)}, …)")
            continue
        try:
            config = config.with_(**{name: _decision_value(name, value)})
        except ValidationError as exc:
            warnings.append(f"{exc}; the default {getattr(_DECISION_DEFAULTS, name)!r} is used")
        except ValueError as exc:  # DecisionConfig's own range checks
            default = getattr(_DECISION_DEFAULTS, name)
            warnings.append(f"{key} = {value!r}: {exc}; the default {default!r} is used")
    return config


def _section(cls: type, doc: object, section: str, warnings: list[str]) -> Any:
    """``cls`` built from the table ``doc`` one key at a time, bad keys dropped with a warning."""
    if doc is None:
        return cls()
    if not isinstance(doc, dict):
        warnings.append(f"[{section}] is not a table; the defaults are used")
        return cls()
    names = {f.name for f in fields(cls)}
    kept: dict[str, Any] = {}
    for name, value in doc.items():
        if name not in names:
            warnings.append(
                f"{section}.{name}: unknown key, ignored (allowed: {', '.join(sorted(names))})"
            )
            continue
        try:
            cls(**{**kept, name: value})
        except (ValidationError, ValueError, TypeError) as exc:
            warnings.append(f"{exc}; the default is used")
            continue
        kept[name] = value
    return cls(**kept)


def settings_from_doc(doc: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a parsed TOML document, with a warning line per refused key."""
    warnings: list[str] = []
    known = {"you", "letters", "decisions", "school_year", "keys"}
    for name in doc:
        if name not in known:
            warnings.append(f"[{name}]: unknown section, ignored (allowed: {', '.join(known)})")
    you = _section(You, doc.get("you"), "you", warnings)
    letters = _section(Letters, doc.get("letters"), "letters", warnings)
    decisions = _decisions(doc.get("decisions", {}), warnings)
    year = _section(SchoolYear, doc.get("school_year"), "school_year", warnings)
    keys: dict[str, str] = {}
    raw_keys = doc.get("keys", {})
    if isinstance(raw_keys, dict):
        for binding_id, value in raw_keys.items():
            try:
                keys[binding_id] = _check_key(binding_id, value)
            except ValidationError as exc:
                warnings.append(f"{exc}; the key is left as it is")
    else:
        warnings.append('[keys] is not a table of binding id = "keys"; ignored')
    return Settings(you, letters, decisions, year, keys), warnings


def load_settings(path: Path | str | None = None) -> tuple[Settings, list[str]]:
    """The settings in ``path`` (default :func:`default_settings_path`) and a warning line
    for each key refused (its default used instead). Never raises for the file's contents:
    a missing file is the defaults, an unreadable one the defaults and one warning."""
    path = Path(path) if path is not None else default_settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as exc:
        return Settings(), [f"{path}: cannot be read ({exc.strerror}); the defaults are used"]
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Settings(), [f"{path}: not UTF-8 text; the defaults are used"]
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [f"{path}: not valid TOML ({exc}); the defaults are used"]
    settings, warnings = settings_from_doc(doc)
    return settings, [f"{path.name}: {w}" for w in warnings]


# --- writing ---------------------------------------------------------------------------------


def settings_to_doc(settings: Settings) -> dict[str, dict[str, Any]]:
    """The settings as TOML tables (decisions: only values that differ from the defaults,
    plus the rule; school year: only when set)."""
    decisions = {
        f.name: getattr(settings.decisions, f.name)
        for f in fields(DecisionConfig)
        if getattr(settings.decisions, f.name) != getattr(_DECISION_DEFAULTS, f.name)
    }
    decisions = {"rule": settings.decisions.rule, **decisions}
    year = {
        k: v
        for k, v in (("first", settings.school_year.first), ("last", settings.school_year.last))
        if v
    }
    return {
        "you": {f.name: getattr(settings.you, f.name) for f in fields(You)},
        "letters": {f.name: getattr(settings.letters, f.name) for f in fields(Letters)},
        "decisions": decisions,
        "school_year": year,
        "keys": dict(settings.keys),
    }


def save_settings(path: Path | str | None, settings: Settings) -> Path:
    """Write ``settings`` to ``path`` (default :func:`default_settings_path`), keeping the
    comments and order of what is there: values are updated in place, new keys appended,
    keys back at their default (decisions) or cleared (school year, keys) removed. The file
    is 0600, its folder made 0700; atomic. Raises StoreError if the file there is not TOML
    (it is not overwritten)."""
    import tomlkit

    from store.storage import atomic_write_bytes, make_private_dir

    path = Path(path) if path is not None else default_settings_path()
    if not isinstance(settings, Settings):
        raise ValidationError("settings must be a Settings", field="settings", value=settings)
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = "# intervene settings — see `intervene paths`; comments are kept on save\n"
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path} cannot be read, so it was not changed: {exc}") from None
    try:
        doc = tomlkit.parse(existing)
    except Exception as exc:  # tomlkit's ParseError has no common public base
        raise StoreError(f"{path} is not valid TOML, so it was not changed: {exc}") from None
    wanted = settings_to_doc(settings)
    for section, values in wanted.items():
        table = doc.get(section)
        if table is None or not isinstance(table, dict):
            if not values:
                continue
            table = tomlkit.table()
            doc[section] = table
        if section == "decisions":  # a key the user wrote stays, at its (default) value
            values = {
                **{k: getattr(settings.decisions, k) for k in table if k in _DECISION_FIELDS},
                **values,
            }
            values = {k: v for k, v in values.items() if v is not None}
        for key in [k for k in table if k not in values]:
            if section in ("decisions", "school_year", "keys"):
                del table[key]
        for key, value in values.items():
            if key not in table or table[key] != value:
                table[key] = value
    make_private_dir(path.parent)
    atomic_write_bytes(path, tomlkit.dumps(doc).encode("utf-8"))
    return path
