"""The progress chart read as text: points, aim line, trend, phase line and goal land in the
rows and columns their dates and values call for."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from store.caseload import student_progress
from store.model import Goal, PhaseChange, Score
from tui.charts import (
    AIM,
    GOAL,
    PHASE,
    POINT,
    TREND,
    ChartData,
    Segment,
    progress_chart,
    progress_chart_html,
    render_chart,
    render_chart_html,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
D0 = date(2026, 2, 2)  # a Monday; every date below stays in 2026
VALUES = [30, 32, 31, 33, 36, 40, 41, 45, 47, 50]
POINTS = [(D0 + timedelta(weeks=i), float(v)) for i, v in enumerate(VALUES)]
GOAL_DAY = D0 + timedelta(weeks=20)
PHASE_DAY = D0 + timedelta(weeks=4)
TREND_SEG = Segment(PHASE_DAY, 36.0, POINTS[-1][0], 50.0)
DATA = ChartData(
    points=POINTS,
    aim=Segment(D0, 30.0, GOAL_DAY, 70.0),
    trend=TREND_SEG,
    goal=(GOAL_DAY, 70.0),
    phases=[(PHASE_DAY, "45 min a day")],
    title="ORF",
    trend_label="trend (OLS, +2.8/week)",
    goal_label="goal 70 by Jun 22",
    floor=0,
)


@dataclass
class Grid:
    """The plot area of a rendered chart, with the axes' own ticks to map dates/values."""

    lines: list[str]
    top: int
    bottom: int
    left: int
    right: int
    x_ticks: list[tuple[int, date]]
    y_ticks: list[tuple[int, float]]

    @classmethod
    def parse(cls, text: str) -> Grid:
        lines = text.split("\n")
        top = next(i for i, ln in enumerate(lines) if "┌" in ln)
        bottom = next(i for i, ln in enumerate(lines) if "└" in ln)
        left, right = lines[top].index("┌"), lines[top].index("┐")
        y_ticks = [
            (i, float(lines[i][:left].strip()))
            for i in range(top + 1, bottom)
            if lines[i][left] == "┤"
        ]
        tick_cols = [m.start() for m in re.finditer("┬", lines[bottom])]
        labels = [
            ((m.start() + m.end() - 1) / 2, m.group())
            for m in re.finditer(r"[A-Z][a-z]{2} \d{1,2}", lines[bottom + 1])
        ]
        x_ticks = []
        for col in tick_cols:
            center, label = min(labels, key=lambda lab: abs(lab[0] - col))
            x_ticks.append((col, date.fromisoformat(_iso(label))))
        return cls(lines, top, bottom, left, right, x_ticks, y_ticks)

    def col(self, d: date) -> float:
        (c0, d0), (c1, d1) = self.x_ticks[0], self.x_ticks[-1]
        return c0 + (d - d0).days * (c1 - c0) / (d1 - d0).days

    def row(self, v: float) -> float:
        (r0, v0), (r1, v1) = self.y_ticks[0], self.y_ticks[-1]
        return r0 + (v - v0) * (r1 - r0) / (v1 - v0)

    def at(self, row: int, col: int) -> str:
        line = self.lines[row]
        return line[col] if col < len(line) else " "

    def near(self, ch: str, d: date, v: float, slack: int = 1) -> bool:
        r, c = round(self.row(v)), round(self.col(d))
        return any(
            self.at(rr, cc) == ch
            for rr in range(r - slack, r + slack + 1)
            for cc in range(c - slack, c + slack + 1)
            if self.top < rr < self.bottom
        )

    def cells(self, ch: str) -> list[tuple[int, int]]:
        return [
            (r, c)
            for r in range(self.top + 1, self.bottom)
            for c in range(self.left + 1, self.right)
            if self.at(r, c) == ch
        ]


def _iso(label: str) -> str:
    month, day = label.split()
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"2026-{months.index(month) + 1:02d}-{int(day):02d}"


def plain(data: ChartData = DATA, width: int = 76, height: int = 18) -> str:
    return render_chart(data, width, height, color=False)


def test_points_sit_at_their_date_and_value() -> None:
    grid = Grid.parse(plain())
    assert len(grid.x_ticks) >= 3 and len(grid.y_ticks) >= 3
    for d, v in POINTS:
        assert grid.near(POINT, d, v), (d, v)
    assert len(grid.cells(POINT)) == len(POINTS)


def test_aim_line_runs_from_baseline_to_goal() -> None:
    grid = Grid.parse(plain())
    aim = grid.cells(AIM)
    assert aim, "no aim line drawn"
    # starts at the left near the baseline row, rises to the goal row at the goal's column
    first = min(aim, key=lambda rc: rc[1])
    last = max(aim, key=lambda rc: rc[1])
    assert abs(first[1] - grid.col(D0)) <= 2
    assert abs(first[0] - grid.row(30)) <= 1
    assert abs(last[0] - grid.row(70)) <= 1
    assert abs(last[1] - grid.col(GOAL_DAY)) <= 2
    # every aim cell lies on the straight line between the two
    for r, c in aim:
        days = (c - grid.col(D0)) * (GOAL_DAY - D0).days / (grid.col(GOAL_DAY) - grid.col(D0))
        expected = grid.row(30 + 40 * days / (GOAL_DAY - D0).days)
        assert abs(r - expected) <= 1.5, (r, c, expected)


def test_goal_marker_at_goal_date() -> None:
    grid = Grid.parse(plain())
    assert grid.near(GOAL, GOAL_DAY, 70, slack=0) or grid.near(GOAL, GOAL_DAY, 70)
    assert len(grid.cells(GOAL)) == 1


def test_trend_line_covers_the_current_phase() -> None:
    grid = Grid.parse(plain())
    trend = grid.cells(TREND)
    assert trend
    cols = [c for _, c in trend]
    assert min(cols) >= grid.col(PHASE_DAY) - 1
    assert max(cols) <= grid.col(POINTS[-1][0]) + 1
    span = (TREND_SEG.end - TREND_SEG.start).days
    c0, c1 = grid.col(TREND_SEG.start), grid.col(TREND_SEG.end)
    for r, c in trend:
        frac = (c - c0) / (c1 - c0)
        expected = grid.row(36 + 14 * frac)
        assert abs(r - expected) <= 1.5, (r, c, expected, span)


def test_phase_line_is_a_vertical_column_at_its_date() -> None:
    grid = Grid.parse(plain())
    col = round(grid.col(PHASE_DAY))
    cells = grid.cells(PHASE)
    phase_cols = {c for _, c in cells}
    assert len(phase_cols) == 1
    (found,) = phase_cols
    assert abs(found - col) <= 1
    rows = grid.bottom - grid.top - 1
    assert len(cells) >= rows - 3  # a few cells may be covered by points or lines
    # the label sits above the plot, starting at the same column
    label_line = next(ln for ln in grid.lines[: grid.top] if "45 min a day" in ln)
    assert label_line.index(PHASE) == found


def test_legend_names_every_series_without_colour() -> None:
    text = plain()
    legend = "\n".join(text.split("\n")[-3:])
    for piece in (f"{POINT} 10 scores", f"{AIM} aim line", f"{TREND} trend (OLS", PHASE, GOAL):
        assert piece in legend
    assert "goal 70 by Jun 22" in legend


def test_no_escape_codes_without_colour_and_same_text_with_colour() -> None:
    mono = plain()
    assert "\x1b" not in mono
    coloured = render_chart(DATA, 76, 18, color=True)
    assert "\x1b[" in coloured
    stripped = [ANSI.sub("", ln).rstrip() for ln in coloured.split("\n")]
    assert stripped == [ln.rstrip() for ln in mono.split("\n")]


@pytest.mark.parametrize(("width", "height"), [(76, 14), (76, 16), (60, 12), (100, 30)])
def test_fits_the_size_asked(width: int, height: int) -> None:
    text = plain(width=width, height=height)
    lines = text.split("\n")
    assert len(lines) <= height
    assert max(len(ln) for ln in lines) <= width


def test_fits_an_80_by_24_terminal() -> None:
    grid = Grid.parse(plain(width=76, height=14))
    for d, v in POINTS:
        assert grid.near(POINT, d, v, slack=1)


def test_deterministic() -> None:
    assert plain() == plain()
    assert render_chart(DATA, 76, 18) == render_chart(DATA, 76, 18)


def test_thread_safe() -> None:
    expected = plain()
    results: list[str] = []

    def work() -> None:
        for _ in range(5):
            results.append(plain())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 20


def test_one_point() -> None:
    text = plain(ChartData(points=[(D0, 40.0)], title="ORF"))
    grid = Grid.parse(text)
    assert grid.cells(POINT) and grid.near(POINT, D0, 40)
    assert "1 score" in text and AIM not in text and TREND not in text


def test_no_goal() -> None:
    text = plain(ChartData(points=POINTS, trend=Segment(D0, 30, POINTS[-1][0], 50)))
    grid = Grid.parse(text)
    assert not grid.cells(AIM) and not grid.cells(GOAL)
    assert len(grid.cells(POINT)) == len(POINTS)
    assert "aim line" not in text


def test_no_points_gives_a_message() -> None:
    text = plain(ChartData(points=[], aim=Segment(D0, 30, GOAL_DAY, 70), goal=(GOAL_DAY, 70)))
    assert "┌" not in text and "No scores yet" in text
    html = render_chart_html(ChartData(points=[], empty_message="No <ORF> scores & none"))
    assert "&lt;ORF&gt;" in html and "&amp;" in html


def test_lower_is_better() -> None:
    values = [12, 11, 12, 9, 8, 8, 6, 5]
    pts = [(D0 + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]
    goal_day = D0 + timedelta(weeks=12)
    data = ChartData(
        points=pts,
        aim=Segment(D0, 12, goal_day, 3),
        goal=(goal_day, 3),
        higher_is_better=False,
        floor=0,
    )
    text = plain(data)
    grid = Grid.parse(text)
    for d, v in pts:
        assert grid.near(POINT, d, v)
    assert grid.near(GOAL, goal_day, 3)
    assert "lower is better" in text
    # the aim line falls: its left end is higher up (smaller row) than its right end
    aim = grid.cells(AIM)
    assert min(aim, key=lambda rc: rc[1])[0] < max(aim, key=lambda rc: rc[1])[0]


def test_all_values_equal() -> None:
    pts = [(D0 + timedelta(weeks=i), 25.0) for i in range(5)]
    grid = Grid.parse(plain(ChartData(points=pts)))
    rows = {r for r, _ in grid.cells(POINT)}
    assert len(rows) == 1 and len(grid.cells(POINT)) == 5


def test_goal_far_beyond_last_score() -> None:
    pts = POINTS[:3]
    far = date(2026, 12, 14)
    grid = Grid.parse(plain(ChartData(points=pts, aim=Segment(D0, 30, far, 90), goal=(far, 90))))
    assert grid.near(GOAL, far, 90)
    assert grid.x_ticks[-1][1] >= date(2026, 11, 1)
    assert abs(grid.col(D0) - grid.left) < 6  # the range starts at the baseline date
    for d, v in pts:
        assert grid.near(POINT, d, v)


def test_user_text_is_cleaned() -> None:
    data = ChartData(points=POINTS, phases=[(PHASE_DAY, "new\x1b[31m <b>&")], title="A\tB")
    text = plain(data)
    assert "\x1b" not in text and "\t" not in text
    html = render_chart_html(data)
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html


def _progress(method: str = "ols", higher: bool = True):
    scores = [Score(f"sc{i}", "st1", "ORF", d, v) for i, (d, v) in enumerate(POINTS)]
    goal = Goal("go1", "st1", "ORF", 30, D0, 70, GOAL_DAY)
    phases = [PhaseChange("ph1", "st1", "ORF", PHASE_DAY, "45 min a day")]
    from store.config import DecisionConfig

    return student_progress(
        "st1",
        "ORF",
        scores=scores,
        goal=goal,
        phase_changes=phases,
        config=DecisionConfig(trend_method=method),
        today=D0 + timedelta(weeks=10),
    )


def test_progress_chart_from_student_progress() -> None:
    prog = _progress()
    text = progress_chart(prog, width=76, height=16, today=D0 + timedelta(weeks=10), color=False)
    grid = Grid.parse(text)
    for d, v in POINTS:
        assert grid.near(POINT, d, v)
    assert grid.near(GOAL, GOAL_DAY, 70)
    assert grid.cells(TREND) and grid.cells(PHASE)
    assert "trend (OLS" in text and "goal 70 by Jun 22" in text and "45 min a day" in text


@pytest.mark.parametrize(("method", "name"), [("tukey", "Tukey"), ("theil-sen", "Theil–Sen")])
def test_trend_method_is_selectable(method: str, name: str) -> None:
    prog = _progress()
    text = progress_chart(prog, width=76, height=16, color=False, trend_method=method)
    assert f"trend ({name}" in text


def test_today_hides_later_scores() -> None:
    prog = _progress()
    text = progress_chart(prog, width=76, height=16, today=POINTS[4][0], color=False)
    assert "5 scores" in text


def test_html_chart_is_self_contained() -> None:
    html = progress_chart_html(_progress())
    assert html.startswith('<figure class="chart"><pre>')
    assert "\x1b" not in html and "http" not in html and "<script" not in html
    assert 'style="color:' in html


def test_two_phase_changes_each_labelled_over_its_line() -> None:
    second = D0 + timedelta(weeks=7)
    data = ChartData(points=POINTS, phases=[(PHASE_DAY, "B: more time"), (second, "C: 1:1")])
    grid = Grid.parse(plain(data))
    cols = sorted({c for _, c in grid.cells(PHASE)})
    assert len(cols) == 2
    assert abs(cols[0] - grid.col(PHASE_DAY)) <= 1 and abs(cols[1] - grid.col(second)) <= 1
    label_line = next(ln for ln in grid.lines[: grid.top] if "C: 1:1" in ln)
    assert label_line.index("C: 1:1") == cols[1] + 1
    assert label_line[cols[0]] == PHASE and "phase changes" in plain(data)


def test_no_color_environment() -> None:
    from tui.charts import use_color

    assert use_color({}) is True
    assert use_color({"NO_COLOR": "1"}) is False
    assert use_color({"NO_COLOR": ""}) is True


def test_rich_reads_the_coloured_chart() -> None:
    from rich.text import Text

    coloured = Text.from_ansi(render_chart(DATA, 76, 18, color=True))
    assert [ln.rstrip() for ln in coloured.plain.split("\n")] == plain().split("\n")
    assert coloured.spans  # colours survived
