"""The progress chart as SVG for HTML reports, drawn by matplotlib (imported here, lazily: the
app and the report modules never load it until an HTML chart is drawn; a test checks it).

Readable in black and white and printed: every series has its own marker *and* line style,
not only a colour — scores ``●`` joined by a thin solid line, aim line solid with ``◆`` at the
goal, trend dashed, phase changes dash-dotted verticals with their label, no-school weeks
hatched grey bands. The elements carry ids a reader (or a test) can find: ``points``,
``aim-line``, ``trend-line``, ``goal``, ``phase-line``, ``no-school``; ``points`` also says
its dates and values (``data-dates``, ``data-values``) and the SVG has a text description
(``role="img"``, ``<title>``) for screen readers.

Reproducible: the SVG backend on a :class:`matplotlib.figure.Figure` of its own (no pyplot,
no global figure state), a fixed ``svg.hashsalt``, no date metadata, text kept as text
(``svg.fonttype: none``: no font is embedded or downloaded).
"""

from __future__ import annotations

import html
import io
import re
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from store.model import fmt_number
from tui.charts import (
    ChartData,
    Segment,
    _visible_breaks,
    _x_range,
    _x_ticks,
    _y_range,
    _y_ticks,
)

# Colours dark enough to print in grey; the styles alone already tell the series apart.
POINT_COLOR = "#1f4fb0"
AIM_COLOR = "#1a7a34"
TREND_COLOR = "#a0288a"
PHASE_COLOR = "#555555"
BREAK_COLOR = "#d9d9d9"
GIDS = ("points", "aim-line", "trend-line", "goal", "phase-line", "no-school")
HASHSALT = "intervene"
_LOCK = threading.Lock()  # matplotlib's rcParams are process-wide


def _day(d: date, lang: str = "en") -> str:
    """'Aug 17' (English), else Babel's short day and month in ``lang`` ('17 ago')."""
    if lang == "en":
        return f"{d:%b} {d.day}"
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", d, locale=lang)


def _aim_xy(pieces: Sequence[Segment], origin: date) -> tuple[list[float], list[float]]:
    """The aim line's pieces as one polyline, a gap (NaN) where a phase starts a new line."""
    xs: list[float] = []
    ys: list[float] = []
    for seg in pieces:
        x0 = float((seg.start - origin).days)
        if xs and (xs[-1] != x0 or ys[-1] != seg.start_value):
            xs.append(float("nan"))
            ys.append(float("nan"))
        if not xs or xs[-1] != x0:
            xs.append(x0)
            ys.append(seg.start_value)
        xs.append(float((seg.end - origin).days))
        ys.append(seg.end_value)
    return xs, ys


def describe(data: ChartData) -> str:
    """One sentence saying what the chart shows (the SVG's title, for screen readers)."""
    n = len(data.points)
    parts = [f"{data.title or 'Progress'}: {n} score{'s' if n != 1 else ''}"]
    if data.points:
        (d0, v0), (d1, v1) = data.points[0], data.points[-1]
        parts.append(
            f"from {fmt_number(v0, data.decimals)} on {_day(d0)} "
            f"to {fmt_number(v1, data.decimals)} on {_day(d1)}"
        )
    if data.goal_label:
        parts.append(data.goal_label)
    if data.trend_label:
        parts.append(data.trend_label)
    if data.phases:
        parts.append("phase changes: " + "; ".join(f"{_day(d)} {t}" for d, t in data.phases))
    return ", ".join(parts)


def _draw(data: ChartData, width_in: float, height_in: float, small: bool, lang: str) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    x_lo, x_hi = _x_range(data)
    y_lo, y_hi = _y_range(data)
    origin = x_lo

    def x(d: date) -> float:
        return float((d - origin).days)

    fig = Figure(figsize=(width_in, height_in), dpi=72)
    FigureCanvasSVG(fig)
    ax: Any = fig.add_subplot(1, 1, 1)
    ax.set_xlim(0.0, x(x_hi))
    ax.set_ylim(y_lo, y_hi)
    ticks = _x_ticks(x_lo, x_hi, 60 if small else 90)
    ax.set_xticks([x(d) for d in ticks], [_day(d, lang) for d in ticks])
    y_ticks = _y_ticks(y_lo, y_hi, 4 if small else 6)
    ax.set_yticks(y_ticks, [fmt_number(v, 2) for v in y_ticks])
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if data.unit and not small:
        ax.set_ylabel(data.unit)

    spans = _visible_breaks(data)
    for i, (a, b) in enumerate(spans):
        ax.axvspan(
            x(a),
            x(b) + 1.0,
            facecolor=BREAK_COLOR,
            edgecolor="#9a9a9a",
            hatch="///",
            linewidth=0,
            alpha=0.6,
            gid="no-school" if i == 0 else f"no-school-{i + 1}",
            label="no school" if i == 0 else None,
        )
    for i, (d, label) in enumerate(sorted(data.phases)):
        ax.axvline(
            x(d),
            color=PHASE_COLOR,
            linestyle="-.",
            linewidth=1.2,
            gid="phase-line" if i == 0 else f"phase-line-{i + 1}",
            label="phase change" if i == 0 else None,
        )
        if not small:
            ax.annotate(
                label[:40],
                (x(d), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                va="top",
                fontsize=8,
                color=PHASE_COLOR,
            )
    pieces = list(data.aim_path) or ([data.aim] if data.aim is not None else [])
    if pieces:
        xs, ys = _aim_xy(pieces, origin)
        ax.plot(
            xs, ys, color=AIM_COLOR, linewidth=1.6, linestyle="-", gid="aim-line", label="aim line"
        )
    if data.goal is not None:
        ax.plot(
            [x(data.goal[0])],
            [data.goal[1]],
            linestyle="none",
            marker="D",
            markersize=7,
            markerfacecolor="white",
            markeredgecolor=AIM_COLOR,
            markeredgewidth=1.6,
            gid="goal",
            label=data.goal_label or "goal",
        )
    if data.trend is not None:
        t = data.trend
        ax.plot(
            [x(t.start), x(t.end)],
            [t.start_value, t.end_value],
            color=TREND_COLOR,
            linewidth=2.0,
            linestyle=(0, (6, 3)),
            gid="trend-line",
            label=data.trend_label or "trend",
        )
    if data.points:
        n = len(data.points)
        better = "" if data.higher_is_better else ", lower is better"
        ax.plot(
            [x(d) for d, _ in data.points],
            [float(v) for _, v in data.points],
            color=POINT_COLOR,
            linewidth=0.8,
            marker="o",
            markersize=4.5 if small else 5.5,
            markerfacecolor=POINT_COLOR,
            markeredgecolor="white",
            markeredgewidth=0.6,
            gid="points",
            label=f"{n} score{'s' if n != 1 else ''}{better}",
        )
    if not small:
        handles, labels = ax.get_legend_handles_labels()
        order = {gid: i for i, gid in enumerate(GIDS)}
        ranked = sorted(
            zip(handles, labels, strict=True), key=lambda hl: order.get(hl[0].get_gid(), 99)
        )
        ax.legend(
            [h for h, _ in ranked],
            [lab for _, lab in ranked],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=3,
            fontsize=8,
            frameon=False,
            handlelength=2.6,
        )
    # Fixed margins rather than tight_layout(), which draws the figure once more (about half
    # of a chart's time); room for 4-digit tick labels, the unit and the legend's two rows.
    if small:
        fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.13)
    else:
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.27)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _mark_points(svg: str, data: ChartData) -> str:
    """Put the scores' dates and values on the ``points`` group (for readers and tests)."""
    dates = " ".join(d.isoformat() for d, _ in data.points)
    values = " ".join(repr(float(v)) for _, v in data.points)
    return svg.replace(
        '<g id="points">',
        f'<g id="points" data-dates="{dates}" data-values="{values}">',
        1,
    )


def _inline(svg: str, data: ChartData, prefix: str, label: str = "") -> str:
    """The ``<svg>`` element alone (no XML declaration or DOCTYPE), described for screen
    readers, its named groups given a class and (with ``prefix``) ids unique in a page."""
    start = svg.index("<svg")
    svg = svg[start:]
    # Self-contained and link-free (the reports' rule): no RDF metadata naming web schemas,
    # no comments, SVG 2 ``href`` rather than xlink, and no clip paths (every series lies
    # inside the axes: the ranges are padded around all of them).
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\s*clip-path="url\(#[^)]*\)"', "", svg)
    svg = re.sub(r"<clipPath .*?</clipPath>\s*", "", svg, flags=re.S)
    # Drop matplotlib's fixed size: the page's CSS sizes it (the viewBox keeps the shape).
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    label = html.escape(label or describe(data), quote=True)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
    svg = re.sub(r"(<svg[^>]*>)", lambda m: f"{m.group(1)}<title>{label}</title>", svg, count=1)
    names = "|".join(GIDS)
    svg = re.sub(
        rf'<g id="((?:{names})(?:-\d+)?)"',
        lambda m: f'<g id="{prefix}{m.group(1)}" class="{re.sub(r"-[0-9]+$", "", m.group(1))}"',
        svg,
    )
    if prefix:  # matplotlib's own ids (clip paths, markers) too, and every reference to them
        own = set(re.findall(r'id="([^"]+)"', svg)) - {
            i for i in re.findall(r'id="([^"]+)"', svg) if i.startswith(prefix)
        }
        for ident in own:
            svg = svg.replace(f'id="{ident}"', f'id="{prefix}{ident}"')
            svg = svg.replace(f'"#{ident}"', f'"#{prefix}{ident}"')
            svg = svg.replace(f"url(#{ident})", f"url(#{prefix}{ident})")
    return svg


def chart_svg(
    data: ChartData,
    *,
    width_in: float = 7.5,
    height_in: float = 3.6,
    small: bool = False,
    prefix: str = "",
    label: str = "",
    lang: str = "en",
) -> str:
    """The chart as an inline ``<svg>`` element (``small``: a letter's chart, no title,
    legend or labels). ``prefix`` makes its ids unique among several charts in one page;
    ``label`` replaces the default description (:func:`describe`) read by screen readers."""
    import matplotlib

    with (
        _LOCK,
        matplotlib.rc_context(
            {
                "svg.hashsalt": HASHSALT,
                "svg.fonttype": "none",
                "font.family": "sans-serif",
                "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: nothing to fetch
                "axes.edgecolor": "#444444",
                "font.size": 9,
            }
        ),
    ):
        svg = _draw(data, width_in, height_in, small, lang)
    return _inline(_mark_points(svg, data), data, prefix, label)


def chart_svg_html(
    data: ChartData,
    *,
    small: bool = False,
    prefix: str = "",
    label: str = "",
    caption: str = "",
    lang: str = "en",
) -> str:
    """A ``<figure class="chart">`` holding the SVG; no scores → the one-line message."""
    if not data.points:
        return f'<p class="chart-empty">{html.escape(data.empty_message)}</p>'
    size = {"width_in": 5.0, "height_in": 2.6} if small else {}
    svg = chart_svg(data, small=small, prefix=prefix, label=label, lang=lang, **size)
    under = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart{" small" if small else ""}">{svg}{under}</figure>'
