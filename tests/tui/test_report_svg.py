"""HTML reports embed each chart as SVG drawn by matplotlib (issue 19): parsed here with
xml.etree, the points sit at the scores' values, the aim line runs from the baseline to the
goal, the trend and phase lines are there; output is reproducible; Markdown and text keep the
text chart; matplotlib is loaded only when an HTML chart is drawn."""

# ruff: noqa: F811 (the caseload fixture is imported from test_reports)
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from store.model import NoSchool
from tests.conftest import REPO
from tests.tui.test_reports import (  # noqa: F401 (the fixture)
    AVA_SCORES,
    GOAL_DAY,
    PHASE,
    START,
    TODAY,
    Caseload,
    caseload,
)
from tui.documents import family_letter, student_report


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def _by_class(svg: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in svg.iter() if name in (e.get("class") or "").split()]


def _vertices(group: ET.Element) -> list[tuple[float, float]]:
    path = next(e for e in group.iter() if e.tag == "path")
    nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    return list(zip(nums[::2], nums[1::2], strict=True))


def _markers(group: ET.Element) -> list[tuple[float, float]]:
    return [(float(u.get("x", "nan")), float(u.get("y", "nan"))) for u in group.iter("use")]


def test_html_report_has_an_svg_chart_with_points_aim_and_trend(caseload: Caseload) -> None:
    page = student_report(caseload.store, caseload.ava, today=TODAY, fmt="html")
    (svg,) = _svgs(page)
    assert svg.get("role") == "img" and "ORF" in (svg.get("aria-label") or "")
    (points,) = _by_class(svg, "points")
    values = [float(v) for v in (points.get("data-values") or "").split()]
    assert values == [float(v) for v in AVA_SCORES]
    dates = (points.get("data-dates") or "").split()
    assert dates[0] == START.isoformat() and len(dates) == len(AVA_SCORES)
    marks = _markers(points)
    assert len(marks) == len(AVA_SCORES)  # one marker per score
    # Pixel y is one straight (decreasing) function of the score: fit it on two scores…
    (x0, y0), (x1, y1) = marks[0], marks[-1]
    scale = (y1 - y0) / (AVA_SCORES[-1] - AVA_SCORES[0])
    assert scale < 0  # higher scores higher up

    def y_of(v: float) -> float:
        return y0 + (v - AVA_SCORES[0]) * scale

    # …and every other marker sits at its own score, one week apart on x
    for (_x, y), v in zip(marks, AVA_SCORES, strict=True):
        assert abs(y - y_of(v)) < 0.01
    week = (x1 - x0) / (len(AVA_SCORES) - 1)
    assert all(abs(x - (x0 + i * week)) < 0.01 for i, (x, _) in enumerate(marks))

    # the aim line: from the baseline (31 on Sep 7, the first score's spot) toward the goal 62
    (aim,) = _by_class(svg, "aim-line")
    verts = _vertices(aim)
    assert abs(verts[0][0] - x0) < 0.01 and abs(verts[0][1] - y_of(31)) < 0.01
    goal_x = x0 + (GOAL_DAY - START).days / 7 * week
    assert abs(verts[-1][0] - goal_x) < 0.05 and abs(verts[-1][1] - y_of(62)) < 0.01
    (goal,) = _by_class(svg, "goal")
    assert abs(_markers(goal)[0][1] - y_of(62)) < 0.01

    # the trend line over the current phase (from the phase change on), and the phase line
    (trend,) = _by_class(svg, "trend-line")
    t0 = _vertices(trend)[0]
    phase_x = x0 + (PHASE - START).days / 7 * week
    assert abs(t0[0] - phase_x) < 0.05  # Ava's first score of the phase is on Oct 19
    (phase,) = _by_class(svg, "phase-line")
    assert all(abs(x - phase_x) < 0.05 for x, _ in _vertices(phase))


def test_svg_shades_no_school_weeks(caseload: Caseload) -> None:
    store = caseload.store
    cal = store.calendar()
    store.set_calendar(
        dataclasses.replace(
            cal,
            no_school=[*cal.no_school, NoSchool(date(2026, 11, 9), date(2026, 11, 13), "Break")],
        )
    )
    page = student_report(store, caseload.ava, today=TODAY, fmt="html")
    (svg,) = _svgs(page)
    (band,) = _by_class(svg, "no-school")
    xs = [x for x, _ in _vertices(band)]
    (points,) = _by_class(svg, "points")
    marks = _markers(points)
    week = (marks[-1][0] - marks[0][0]) / (len(marks) - 1)
    monday = marks[0][0] + (date(2026, 11, 9) - START).days / 7 * week
    assert abs(min(xs) - monday) < 0.05 and abs(max(xs) - (monday + 5 / 7 * week)) < 0.05


def test_svg_is_reproducible_and_self_contained(caseload: Caseload) -> None:
    one = student_report(caseload.store, caseload.ava, today=TODAY, fmt="html")
    two = student_report(caseload.store, caseload.ava, today=TODAY, fmt="html")
    assert one == two
    svg = re.search(r"<svg\b.*?</svg>", one, flags=re.S)
    assert svg is not None
    for bad in ("http", "url(", "<metadata", "<!--", "dc:date", "<image", "@font-face"):
        assert bad not in svg.group(0)


def test_markdown_and_text_keep_the_text_chart(caseload: Caseload) -> None:
    for fmt in ("md", "text"):
        text = student_report(caseload.store, caseload.ava, today=TODAY, fmt=fmt)
        assert "<svg" not in text and "●" in text and "◆" in text


def test_letter_html_has_a_small_chart(caseload: Caseload) -> None:
    page = family_letter(caseload.store, caseload.ava, today=TODAY, fmt="html")
    (svg,) = _svgs(page)
    assert _by_class(svg, "points") and _by_class(svg, "aim-line")
    assert "trend" not in (svg.get("aria-label") or "")  # no staff words in a family's chart


def test_matplotlib_is_loaded_only_to_draw_an_html_chart(tmp_path: Path) -> None:
    code = """
import json, sys
from datetime import date
import tui.app, tui.cli.main, tui.documents, tui.documents.svg_chart, tui.reports
before = "matplotlib" in sys.modules
from store.db import Store
from store.demo import build_demo
from tui.documents import meeting_packet
with Store.open(sys.argv[1]) as store:
    build_demo(store, date(2026, 11, 25))
    meeting_packet(store, today=date(2026, 11, 25), fmt="text")
    text_only = "matplotlib" in sys.modules
    meeting_packet(store, today=date(2026, 11, 25), fmt="html")
print("LOADED " + json.dumps([before, text_only, "matplotlib" in sys.modules]))
"""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("LOADED "))
    assert json.loads(line.removeprefix("LOADED ")) == [False, False, True]


def test_svg_label_with_odd_characters(caseload: Caseload) -> None:
    from tui.charts import ChartData
    from tui.documents.svg_chart import chart_svg

    data = ChartData(points=[(START, 10.0), (TODAY, 20.0)], title='Zoë \\1 <b> & "x"')
    svg = ET.fromstring(chart_svg(data))
    title = svg.find("title")
    assert title is not None and title.text is not None
    assert title.text.startswith('Zoë \\1 <b> & "x": 2 scores')
