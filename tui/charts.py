"""The progress chart: scores over dates with the aim line, the trend line of the current
phase, phase-change lines and the goal (DOMAIN.md: aim line, trend line, phase change).

Pure functions, data in and a string out, so the chart is tested as plain text:

* :func:`render_chart` draws a :class:`ChartData` (plain dates and numbers);
* :func:`progress_chart` draws a :class:`store.caseload.StudentProgress`;
* :func:`render_chart_html` / :func:`progress_chart_html` give an HTML fragment for reports.

Every series has its own character, so the chart reads without colour (``NO_COLOR``,
``color=False``, printed reports): scores ``●``, aim line ``·``, trend ``=``, phase change
``┆``, goal ``◆``, and whole no-school weeks (a winter break: no instruction, so no growth is
expected; DOMAIN.md goal, :mod:`store.school_weeks`) shaded ``░`` behind everything else, with
a text legend under the plot. With ``color=True`` the result holds
ANSI codes (the TUI wraps it in ``rich.text.Text.from_ansi``); with ``color=False`` none.

plotext keeps its figure in module state; each call builds its own figure (a fresh plotext
terminal) under a module lock, so charts may be drawn from worker threads.
"""

from __future__ import annotations

import html
import math
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import date, timedelta
from typing import Any

from store.caseload import StudentProgress
from store.model import fmt_number
from store.progress import InsufficientDataError, Trend, trend
from store.records import frozen_record

POINT = "●"
AIM = "·"
TREND = "="
PHASE = "┆"
GOAL = "◆"
NO_SCHOOL = "░"

# 256-colour palette numbers: blue, green, magenta, yellow, green, light grey.
_COLORS = {"point": 12, "aim": 10, "trend": 13, "phase": 11, "goal": 10, "break": 250}
_ANSI = {k: f"\x1b[38;5;{v}m" for k, v in _COLORS.items()}
_RESET = "\x1b[0m"
_CSS = {
    "point": "#1f5fd6",
    "aim": "#1a8a3a",
    "trend": "#b0309a",
    "phase": "#a07800",
    "goal": "#1a8a3a",
    "break": "#b8b8b8",
}

TREND_NAMES = {"ols": "OLS", "tukey": "Tukey", "theil-sen": "Theil–Sen"}
MIN_WIDTH = 30
MIN_PLOT_HEIGHT = 6

_LOCK = threading.Lock()


@frozen_record
class Segment:
    """A straight line from (start, start_value) to (end, end_value)."""

    start: date
    start_value: float
    end: date
    end_value: float


@frozen_record
class ChartData:
    """What one chart shows, as plain values.

    ``aim``: the aim line, baseline → goal. ``trend``: the fitted line over the current phase.
    ``goal``: (goal date, goal value), marked with ``◆``. ``phases``: (date, label) of each
    phase change. ``floor``: the lowest value the measure can take (the y axis never goes
    below it). ``trend_label`` names the fit (e.g. "OLS") and its slope. ``breaks``: Mondays of
    the whole no-school weeks (:func:`store.school_weeks.break_weeks`), shaded ``░``.
    ``aim_path``: the aim line as drawn — the goal's line up to a phase change, then the
    phase's own (aimswebPlus: a new line per phase), level through no-school weeks (the line
    counts weeks of school); ``aim`` is the line in force.
    """

    points: Sequence[tuple[date, float]] = ()
    aim: Segment | None = None
    trend: Segment | None = None
    goal: tuple[date, float] | None = None
    phases: Sequence[tuple[date, str]] = ()
    title: str = ""
    unit: str = ""
    higher_is_better: bool = True
    floor: float | None = None
    trend_label: str = ""
    goal_label: str = ""
    empty_message: str = "No scores yet — enter a score to see the chart."
    decimals: int = 0
    extra_legend: tuple[str, ...] = field(default_factory=tuple)
    breaks: Sequence[date] = ()
    aim_path: Sequence[Segment] = ()


# --------------------------------------------------------------------------- building data
def _trend_segment(fitted: Trend, pts: Sequence[tuple[date, float]]) -> Segment | None:
    if not pts:
        return None
    first, last = pts[0][0], pts[-1][0]
    if first == last:
        return None
    return Segment(first, fitted.value_at(first), last, fitted.value_at(last))


def aim_path(progress: StudentProgress) -> list[Segment]:
    """The aim line(s) of ``progress`` as straight pieces: the goal's line until the current
    phase's line starts, then that one, each flat across the break weeks it spans."""
    lines = list(progress.aims)
    out: list[Segment] = []
    for i, line in enumerate(lines):
        end = lines[i + 1].start if i + 1 < len(lines) else line.goal_date
        if end <= line.start:
            continue
        stops = [line.start]
        for monday in line.breaks:
            for d in (monday, monday + timedelta(days=7)):
                if line.start < d < end:
                    stops.append(d)
        stops.append(end)
        stops = sorted(set(stops))
        out += [
            Segment(
                a, line.value_at(a), b, line.value_at(b) if b < line.goal_date else line.goal_value
            )
            for a, b in zip(stops, stops[1:], strict=False)
        ]
    return out


def chart_data(
    progress: StudentProgress,
    *,
    today: date | None = None,
    trend_method: str | None = None,
    title: str | None = None,
    breaks: Sequence[date] = (),
) -> ChartData:
    """The :class:`ChartData` of one student's progress on one measure.

    ``trend_method`` ("ols", "tukey", "theil-sen") refits the current phase's trend with that
    method; by default the trend already in ``progress`` (the configured method) is drawn.
    Scores after ``today`` are left out. ``breaks`` (Mondays of whole no-school weeks) are
    shaded.
    """
    m = progress.measure
    points = [(d, v) for d, v in progress.points if today is None or d <= today]
    phase_pts = [(d, v) for d, v in progress.phase_points if today is None or d <= today]
    fitted = progress.trend
    if trend_method is not None and fitted is not None and fitted.method != trend_method:
        try:  # the same phase points and weeks of school, another fit
            fitted = trend(phase_pts, trend_method, breaks=fitted.breaks)
        except InsufficientDataError:
            fitted = None
    seg = _trend_segment(fitted, phase_pts) if fitted is not None else None
    trend_label = ""
    if seg is not None and fitted is not None:
        name = TREND_NAMES.get(fitted.method, fitted.method)
        trend_label = f"trend ({name}, {_signed(fitted.slope)}/week)"
    aim = goal = None
    goal_label = ""
    if progress.aim is not None:
        a = progress.aim
        aim = Segment(a.start, a.start_value, a.goal_date, a.goal_value)
        goal = (a.goal_date, a.goal_value)
        goal_label = f"goal {m.format(a.goal_value)} by {_day(a.goal_date)}"
    phases = [(p.date, p.label) for p in progress.phase_changes]
    return ChartData(
        points=points,
        aim=aim,
        trend=seg,
        goal=goal,
        phases=phases,
        title=m.code if title is None else title,
        unit=m.unit,
        higher_is_better=m.higher_is_better,
        floor=m.min,
        trend_label=trend_label,
        goal_label=goal_label,
        empty_message=f"No {m.code} scores yet — enter a score to see the chart.",
        decimals=m.decimals,
        breaks=tuple(breaks),
        aim_path=tuple(aim_path(progress)),
    )


def progress_chart(
    progress: StudentProgress,
    *,
    width: int,
    height: int,
    today: date | None = None,
    color: bool = True,
    trend_method: str | None = None,
    title: str | None = None,
    breaks: Sequence[date] = (),
) -> str:
    """The chart of ``progress`` as text, ``width`` × at most ``height`` lines (legend
    included). See :func:`chart_data` and :func:`render_chart`."""
    data = chart_data(progress, today=today, trend_method=trend_method, title=title, breaks=breaks)
    return render_chart(data, width, height, color=color)


def progress_chart_html(
    progress: StudentProgress,
    *,
    width: int = 76,
    height: int = 18,
    today: date | None = None,
    trend_method: str | None = None,
    title: str | None = None,
    breaks: Sequence[date] = (),
) -> str:
    """An HTML fragment (``<figure>`` with a coloured ``<pre>`` and a legend) of the chart."""
    data = chart_data(progress, today=today, trend_method=trend_method, title=title, breaks=breaks)
    return render_chart_html(data, width, height)


# --------------------------------------------------------------------------- helpers
def _signed(value: float) -> str:
    text = fmt_number(round(value, 2) + 0.0, 2)
    return text if text.startswith("-") else f"+{text}"


def _day(d: date) -> str:
    return f"{d:%b} {d.day}"


def _clean(text: str) -> str:
    """User text for the chart: one line, no control characters."""
    return "".join(c if c.isprintable() else " " for c in text).strip()


def break_spans(breaks: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive no-school weeks (their Mondays) joined into (first Monday, last Friday)."""
    spans: list[tuple[date, date]] = []
    for monday in sorted(set(breaks)):
        friday = monday + timedelta(days=4)
        if spans and (monday - spans[-1][1]).days <= 3:
            spans[-1] = (spans[-1][0], friday)
        else:
            spans.append((monday, friday))
    return spans


def _visible_breaks(data: ChartData) -> list[tuple[date, date]]:
    """The break spans that overlap the chart's dates, clipped to them."""
    if not data.breaks:
        return []
    lo, hi = _x_range(data)
    return [(max(a, lo), min(b, hi)) for a, b in break_spans(data.breaks) if a <= hi and b >= lo]


def _x_range(data: ChartData) -> tuple[date, date]:
    days = [d for d, _ in data.points]
    if data.aim is not None:
        days += [data.aim.start, data.aim.end]
    for seg in data.aim_path:
        days += [seg.start, seg.end]
    if data.trend is not None:
        days += [data.trend.start, data.trend.end]
    if data.goal is not None:
        days.append(data.goal[0])
    days += [d for d, _ in data.phases]
    lo, hi = min(days), max(days)
    if (hi - lo).days < 7:
        pad = 7 - (hi - lo).days
        lo -= timedelta(days=pad // 2 + 1)
        hi += timedelta(days=pad - pad // 2 + 1)
    else:
        pad = max(1, round((hi - lo).days * 0.02))
        lo -= timedelta(days=pad)
        hi += timedelta(days=pad)
    return lo, hi


def _y_range(data: ChartData) -> tuple[float, float]:
    ys = [v for _, v in data.points]
    for seg in (data.aim, data.trend, *data.aim_path):
        if seg is not None:
            ys += [seg.start_value, seg.end_value]
    if data.goal is not None:
        ys.append(data.goal[1])
    lo, hi = min(ys), max(ys)
    span = hi - lo
    if span < 1e-9:
        span = max(1.0, abs(hi) * 0.2)
        lo, hi = lo - span / 2, hi + span / 2
    lo -= span * 0.08
    hi += span * 0.08
    if data.floor is not None and lo < data.floor <= min(ys):
        lo = data.floor
    return lo, hi


_STEPS = (1, 2, 7, 14, 21, 28, 42, 56, 84, 112, 168, 252, 364)


def _x_ticks(lo: date, hi: date, width: int) -> list[date]:
    """Tick dates: every day/2 days for short ranges, else Mondays every k weeks; no more
    than fit at ~8 characters per label."""
    room = max(2, (width - 8) // 9)
    span = (hi - lo).days
    for step in _STEPS:
        # Weekly steps start on the first Monday.
        first = lo + timedelta(days=(7 - lo.weekday()) % 7) if step >= 7 else lo
        ticks = []
        d = first
        while d <= hi:
            ticks.append(d)
            d += timedelta(days=step)
        if len(ticks) <= room or step == _STEPS[-1]:
            return ticks or [lo + timedelta(days=span // 2)]
    return [lo]


def _y_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × 10^k apart) inside [lo, hi], about ``count``."""
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next((k * mag for k in (1, 2, 2.5, 5, 10) if k * mag >= raw), 10 * mag)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + 1e-9:
        ticks.append(round(v, 6) + 0.0)
        v += step
    return ticks or [round((lo + hi) / 2, 2)]


def _x(d: date, origin: date) -> float:
    return float((d - origin).days)


def _legend(data: ChartData, width: int, color: bool) -> list[str]:
    def mark(key: str, symbol: str) -> str:
        return f"{_ANSI[key]}{symbol}{_RESET}" if color else symbol

    items: list[tuple[str, str]] = []  # (plain, rendered)
    n = len(data.points)
    word = "score" if n == 1 else "scores"
    better = "" if data.higher_is_better else ", lower is better"
    items.append((f"{POINT} {n} {word}{better}", f"{mark('point', POINT)} {n} {word}{better}"))
    if data.aim is not None:
        items.append((f"{AIM} aim line", f"{mark('aim', AIM)} aim line"))
    if data.goal is not None:
        label = data.goal_label or "goal"
        items.append((f"{GOAL} {label}", f"{mark('goal', GOAL)} {label}"))
    if data.trend is not None:
        label = data.trend_label or "trend"
        items.append((f"{TREND} {label}", f"{mark('trend', TREND)} {label}"))
    if data.phases:
        word = "phase change" if len(data.phases) == 1 else "phase changes"
        items.append((f"{PHASE} {word}", f"{mark('phase', PHASE)} {word}"))
    spans = _visible_breaks(data)
    if spans:
        if len(spans) <= 2:
            when = ", ".join(f"{_day(a)}–{_day(b)}" for a, b in spans)
            label = f"no school {when}"
        else:
            label = f"no school ({len(spans)} breaks)"
        items.append((f"{NO_SCHOOL} {label}", f"{mark('break', NO_SCHOOL)} {label}"))
    items += [(_clean(t), _clean(t)) for t in data.extra_legend]
    lines: list[str] = []
    plain_line, line = "", ""
    for plain, rendered in items:
        if plain_line and len(plain_line) + 3 + len(plain) > width:
            lines.append(line)
            plain_line, line = "", ""
        sep = "   " if plain_line else ""
        plain_line += sep + plain
        line += sep + rendered
    if line:
        lines.append(line)
    return lines


def _phase_labels(
    data: ChartData,
    origin: date,
    x_hi: date,
    plot_left: int,
    canvas_width: int,
    drawn: Sequence[int] = (),
) -> str:
    """One text row naming each phase change over its line (truncated to fit). ``drawn``:
    the columns where the phase lines were drawn, used when there is one per phase."""
    span = max(1, (x_hi - origin).days)
    row = [" "] * (plot_left + canvas_width)
    phases = sorted(data.phases)
    if len(drawn) == len(phases):
        cols = list(drawn)
    else:
        cols = [plot_left + round((d - origin).days / span * (canvas_width - 1)) for d, _ in phases]
    starts = [(col, _clean(label)) for col, (_, label) in zip(cols, phases, strict=True)]
    for i, (col, label) in enumerate(starts):
        end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(row)
        text = f"{PHASE}{label}"[: max(1, end - col)]
        for j, ch in enumerate(text):
            if col + j < len(row):
                row[col + j] = ch
    return "".join(row).rstrip()


# --------------------------------------------------------------------------- rendering
def _figure(data: ChartData, width: int, plot_height: int) -> tuple[Any, date, date]:
    """Build the plotext matrix on a figure of its own; returns (matrix, x origin, x end)."""
    from plotext._kernel.terminal import terminal
    from plotext._primitives.marker import marker
    from plotext._primitives.pixel import pixel

    term = terminal()
    term.limit(False, False)
    fig = term._master
    fig.theme("simple")
    fig.plot_size(width, plot_height)
    if data.title:
        fig.title(_clean(data.title))

    x_lo, x_hi = _x_range(data)
    y_lo, y_hi = _y_range(data)
    origin = x_lo
    fig.ruler("x").lim(0.0, _x(x_hi, origin))
    fig.ruler("y").lim(y_lo, y_hi)
    ticks = _x_ticks(x_lo, x_hi, width)
    fig.ruler("x").ticks([_x(d, origin) for d in ticks], [_day(d) for d in ticks])
    y_ticks = _y_ticks(y_lo, y_hi, 5 if plot_height >= 12 else 3)
    fig.ruler("y").ticks(y_ticks, [fmt_number(v, 2) for v in y_ticks])

    def mk(symbol: str, key: str) -> object:
        return marker(symbol, pixel=pixel(foreground=_COLORS[key]))

    def line(piece: Segment, symbol: str, key: str) -> None:
        xs = [_x(piece.start, origin), _x(piece.end, origin)]
        ys = [piece.start_value, piece.end_value]
        fig.draw(fig.segment(xs, ys, marker=mk(symbol, key)).density("full"))

    # No-school weeks first, so every other series draws over the shading. Vertical strokes
    # half a column apart fill each column the span covers (at least its two ends).
    span_days = max(1.0, _x(x_hi, origin))
    step = span_days / (2 * width)
    for a, b in _visible_breaks(data):
        x0, x1 = _x(a, origin), _x(b, origin) + 1.0 - 1e-6  # through the end of Friday
        xs = [x0 + i * step for i in range(int((x1 - x0) / step) + 1)] + [x1]
        for x in xs:
            stroke = fig.segment([x, x], [y_lo, y_hi], marker=mk(NO_SCHOOL, "break"))
            fig.draw(stroke.density("full"))
    for d, _label in data.phases:
        x = _x(d, origin)
        fig.draw(fig.segment([x, x], [y_lo, y_hi], marker=mk(PHASE, "phase")).density("full"))
    for piece in data.aim_path or ([data.aim] if data.aim is not None else []):
        line(piece, AIM, "aim")
    if data.trend is not None:
        line(data.trend, TREND, "trend")
    if data.goal is not None:
        fig.draw(fig.signal([_x(data.goal[0], origin)], [data.goal[1]], marker=mk(GOAL, "goal")))
    if data.points:
        xs = [_x(d, origin) for d, _ in data.points]
        ys = [float(v) for _, v in data.points]
        fig.draw(fig.signal(xs, ys, marker=mk(POINT, "point")))
    matrix = fig.build()
    return matrix, origin, x_hi


def _canvas_geometry(plain_lines: list[str]) -> tuple[int, int]:
    """(left column, width) of the canvas inside the frame, from the bottom frame row."""
    for line in reversed(plain_lines):
        if "└" in line and "┘" in line:
            left = line.index("└") + 1
            return left, line.rindex("┘") - left
    return 0, len(plain_lines[0]) if plain_lines else 0


def _render(data: ChartData, width: int, height: int, color: bool) -> tuple[str, list[str]]:
    """(chart text, legend lines)."""
    width = max(MIN_WIDTH, int(width))
    legend = _legend(data, width, color)
    label_rows = 1 if data.phases else 0
    plot_height = max(MIN_PLOT_HEIGHT, int(height) - len(legend) - label_rows)
    with _LOCK:
        matrix, origin, x_hi = _figure(data, width, plot_height)
        plain = matrix.string(colorless=True)
        text = matrix.string() if color else plain
    lines = [ln.rstrip() for ln in text.split("\n")]
    while lines and not _strip_ansi(lines[-1]).strip():
        lines.pop()
    if data.phases:
        plain_lines = plain.split("\n")
        left, canvas_width = _canvas_geometry(plain_lines)
        drawn = sorted(
            {
                i
                for ln in plain_lines
                if "┤" in ln or "│" in ln
                for i, ch in enumerate(ln)
                if ch == PHASE
            }
        )
        labels = _phase_labels(data, origin, x_hi, left, canvas_width, drawn)
        if color:
            labels = f"{_ANSI['phase']}{labels}{_RESET}"
        lines.insert(1 if data.title else 0, labels)
    return "\n".join(lines), legend


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def use_color(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``NO_COLOR`` is set to a non-empty value (https://no-color.org)."""
    env = os.environ if environ is None else environ
    return not env.get("NO_COLOR")


def _empty(data: ChartData) -> bool:
    return not data.points


def render_chart(data: ChartData, width: int = 76, height: int = 16, color: bool = True) -> str:
    """The chart as text: at most ``height`` lines of ``width`` columns (legend under the
    plot included; a minimum plot height of 6 rows is kept). No scores → a one-line
    message instead of a chart. ``color=False`` returns no escape codes."""
    if _empty(data):
        return _clean(data.empty_message)
    chart, legend = _render(data, width, height, color)
    return "\n".join([chart, *legend])


def _html_colored(text: str) -> str:
    """ANSI foreground colours (as produced here) → HTML spans; everything else escaped."""
    out: list[str] = []
    open_span = False
    pos = 0
    for m in re.finditer(r"\x1b\[([0-9;]*)m", text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        pos = m.end()
        codes = m.group(1).split(";")
        if open_span:
            out.append("</span>")
            open_span = False
        if len(codes) >= 3 and codes[0] == "38" and codes[1] == "5":
            css = _css_for(int(codes[2]))
            if css:
                out.append(f'<span style="color:{css}">')
                open_span = True
    out.append(html.escape(text[pos:], quote=False))
    if open_span:
        out.append("</span>")
    return "".join(out)


def _css_for(code: int) -> str | None:
    for key, value in _COLORS.items():
        if value == code:
            return _CSS[key]
    return None


def render_chart_html(data: ChartData, width: int = 76, height: int = 18) -> str:
    """The chart as a self-contained HTML fragment: a ``<figure class="chart">`` holding the
    coloured text chart in a ``<pre>`` (inline colours, no scripts, no external resources)
    and the legend; user text is escaped."""
    if _empty(data):
        return f'<p class="chart-empty">{html.escape(_clean(data.empty_message))}</p>'
    chart, legend = _render(data, width, height, color=True)
    body = _html_colored("\n".join([chart, *legend]))
    return f'<figure class="chart"><pre>{body}</pre></figure>'
