"""The course chart: weekly cramp frequency, worst severity and pain, as server-rendered SVG.

Input is the outcomes dictionary of ``crampcare.core.outcomes.outcomes`` (weeks numbered from the
week of the first session) and, optionally, the sessions with their pain measures. Two panels
share the week axis: cramps per week on top, with the baseline as a long-dashed line; the 0-10
scales below (the diary's worst severity each week, the pain before each session). Sessions are
marked under the week axis.

Readable without colour (print, colour blindness): every series has its own marker and dash
pattern and a legend that names it; the viewBox is fixed, so text keeps its size relative to the
page. Accessible: ``role="img"`` with a ``<title>`` and a ``<desc>`` that says the numbers, and
``chart_table`` gives the same numbers for a table beside the chart. A week without data is a
gap in the line, never a zero. Pure: no Django, no clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any, Final

WIDTH: Final = 640
HEIGHT: Final = 420
LEFT, RIGHT = 64, 20
TOP = (48, 188)  # cramps per week: y of the top and of the zero line
LOW = (232, 332)  # the 0-10 scales
MARKS_Y: Final = 352  # session markers, under the week axis
FONT: Final = 13


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "no data"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else str(round(value))


def _nice_ceiling(value: float) -> float:
    """A round top for the axis: 4, 5, 8, 10, 15, 20, 25, 40, 50 ..."""
    if value <= 4:
        return 4.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 4, 5, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude  # pragma: no cover (the loop ends at 10 x magnitude)


class _Axes:
    """Week numbers to x, values to y, for the weeks the chart shows."""

    def __init__(self, weeks: Sequence[int], top_max: float) -> None:
        self.first = min(weeks) if weeks else 1
        self.count = (max(weeks) - self.first + 1) if weeks else 1
        self.step = (WIDTH - LEFT - RIGHT) / self.count
        self.top_max = top_max

    def x(self, week: float) -> float:
        """The middle of a week's column (fractions place a date within its week)."""
        return round(LEFT + (week - self.first + 0.5) * self.step, 2)

    def y_top(self, value: float) -> float:
        return round(TOP[1] - (TOP[1] - TOP[0]) * value / self.top_max, 2)

    @staticmethod
    def y_low(value: float) -> float:
        return round(LOW[1] - (LOW[1] - LOW[0]) * value / 10, 2)


def _weeks(outcomes: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return sorted(outcomes.get("weeks") or [], key=lambda w: int(w["week"]))


def _segments(points: Iterable[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive weeks with a value: a missing week (no value, or not listed) ends a
    run, so the line shows a gap there instead of falling to zero."""
    runs: list[list[tuple[int, float]]] = []
    last: int | None = None
    for week, value in points:
        if value is None:
            last = None
            continue
        if last is None or week != last + 1 or not runs:
            runs.append([])
        runs[-1].append((week, value))
        last = week
    return runs


def _session_positions(
    weeks: Sequence[Mapping[str, Any]], sessions: Sequence[Mapping[str, Any]] | None
) -> list[tuple[float, Mapping[str, Any]]]:
    """Where each session sits on the week axis: at its date within its week when sessions
    with dates are given, else spread over the week's column from the week's count."""
    out: list[tuple[float, Mapping[str, Any]]] = []
    if sessions is None:
        for w in weeks:
            n = int(w.get("sessions") or 0)
            out += [(int(w["week"]) - 0.5 + (i + 1) / (n + 1), {}) for i in range(n)]
        return out
    for s in sessions:
        day = _date(s.get("date"))
        for w in weeks:
            start, end = _date(w.get("start")), _date(w.get("end"))
            if day is not None and start is not None and end is not None and start <= day <= end:
                out.append((int(w["week"]) - 0.5 + ((day - start).days + 0.5) / 7, s))
                break
    return out


def _marker(shape: str, x: float, y: float, cls: str, label: str) -> str:
    tip = f"<title>{escape(label)}</title>"
    if shape == "circle":
        return f'<circle class="{cls}" cx="{x}" cy="{y}" r="4.5">{tip}</circle>'
    if shape == "square":
        return (
            f'<rect class="{cls}" x="{round(x - 4, 2)}" y="{round(y - 4, 2)}" width="8" '
            f'height="8" fill="#fff">{tip}</rect>'
        )
    # triangle pointing up
    return (
        f'<path class="{cls}" d="M{x} {round(y - 5.5, 2)} L{round(x + 5, 2)} {round(y + 4, 2)} '
        f'L{round(x - 5, 2)} {round(y + 4, 2)} Z">{tip}</path>'
    )


def _line(points: list[tuple[float, float]], cls: str, dash: str) -> str:
    if len(points) < 2:
        return ""
    coords = " ".join(f"{x},{y}" for x, y in points)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline class="{cls}" points="{coords}" fill="none"{dashes}/>'


def _series(weeks: Sequence[Mapping[str, Any]], key: str) -> list[tuple[int, float | None]]:
    return [(int(w["week"]), _num(w.get(key))) for w in weeks]


def _describe(
    outcomes: Mapping[str, Any], weeks: Sequence[Mapping[str, Any]], sessions_shown: int
) -> str:
    base = outcomes.get("baseline") or {}
    parts = []
    freq = _num(base.get("weekly_frequency"))
    if freq is None:
        parts.append("No baseline frequency.")
    else:
        parts.append(f"Baseline {_fmt(freq)} cramps per week (from the {base.get('source')}).")
    for w in weeks:
        parts.append(
            f"Week {w['week']}: "
            + (
                f"{_fmt(_num(w.get('frequency')))} cramps per week"
                if w.get("frequency") is not None
                else "no diary data"
            )
            + (
                f", worst severity {w['worst_severity']}"
                if w.get("worst_severity") is not None
                else ""
            )
            + f", {int(w.get('sessions') or 0)} session(s)."
        )
    if not weeks:
        parts.append("No diary weeks yet.")
    parts.append(f"{sessions_shown} session(s) marked.")
    return " ".join(parts)


def weekly_chart(
    outcomes: Mapping[str, Any],
    title: str,
    sessions: Sequence[Mapping[str, Any]] | None = None,
    chart_id: str = "outcomes-chart",
) -> str:
    """The chart as one ``<svg>`` element. ``sessions``: ``[{date, pain_before, pain_after}]``
    (J1's ``SessionPoint`` shape) to place session markers at their dates and draw the pain
    before each session; without it, markers come from each week's session count."""
    weeks = _weeks(outcomes)
    base = outcomes.get("baseline") or {}
    baseline = _num(base.get("weekly_frequency"))
    numbers = [_num(w.get("frequency")) for w in weeks] + [baseline]
    top_max = _nice_ceiling(max([v for v in numbers if v is not None] or [0.0]))
    axes = _Axes([int(w["week"]) for w in weeks], top_max)
    placed = _session_positions(weeks, sessions)
    ids = {k: f"{chart_id}-{k}" for k in ("title", "desc")}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outcomes-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ids["title"]} {ids["desc"]}" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{FONT}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ids["title"]}">{escape(title)}</title>',
        f'<desc id="{ids["desc"]}">{escape(_describe(outcomes, weeks, len(placed)))}</desc>',
        '<rect width="100%" height="100%" fill="#fff"/>',
    ]
    out += _frame(axes, weeks)
    if baseline is not None:
        y = axes.y_top(baseline)
        out.append(
            f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" '
            'stroke="#000" stroke-width="1.5" stroke-dasharray="10 5"/>'
        )
        out.append(
            f'<text class="baseline-label" x="{WIDTH - RIGHT - 4}" y="{round(y - 5, 2)}" '
            f'text-anchor="end">baseline {_fmt(baseline)}/week ({escape(str(base.get("source")))}'
            ")</text>"
        )
    out += _plot(weeks, "frequency", axes, top=True, shape="circle", dash="")
    out += _plot(weeks, "worst_severity", axes, top=False, shape="square", dash="6 4")
    out += _pain(placed, axes)
    for x_week, s in placed:
        x = axes.x(x_week)
        label = f"session {_date(s.get('date'))}" if s.get("date") else "session"
        out.append(
            f'<path class="session-marker" d="M{x} {MARKS_Y - 9} L{round(x + 6, 2)} {MARKS_Y} '
            f'L{round(x - 6, 2)} {MARKS_Y} Z" fill="#000"><title>{escape(label)}</title></path>'
        )
    out += _legend(baseline is not None)
    if not weeks:
        out.append(
            f'<text x="{WIDTH / 2}" y="{(TOP[0] + TOP[1]) / 2}" text-anchor="middle">'
            "No diary weeks yet</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _frame(axes: _Axes, weeks: Sequence[Mapping[str, Any]]) -> list[str]:
    out = ['<g class="frame" stroke="#767676" stroke-width="0.75">']
    for value in (0, axes.top_max / 2, axes.top_max):
        y = axes.y_top(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
    for value in (0, 5, 10):
        y = axes.y_low(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
    out.append("</g>")
    out.append('<g class="labels" fill="#000">')
    out.append(f'<text x="{LEFT}" y="{TOP[0] - 14}">Cramps per week</text>')
    out.append(f'<text x="{LEFT}" y="{LOW[0] - 12}">Worst severity and pain (0-10)</text>')
    for value in (0, axes.top_max / 2, axes.top_max):
        y = axes.y_top(value) + 4
        out.append(f'<text x="{LEFT - 8}" y="{y}" text-anchor="end">{_fmt(value)}</text>')
    for value in (0, 5, 10):
        y = axes.y_low(value) + 4
        out.append(f'<text x="{LEFT - 8}" y="{y}" text-anchor="end">{value}</text>')
    every = max(1, math.ceil(axes.count / 12))  # at most about 12 week labels
    for w in weeks:
        n = int(w["week"])
        if (n - axes.first) % every == 0:
            out.append(
                f'<text class="week-label" x="{axes.x(n)}" y="{MARKS_Y + 20}" '
                f'text-anchor="middle">{n}</text>'
            )
    out.append(
        f'<text x="{LEFT - 8}" y="{MARKS_Y + 20}" text-anchor="end">Week</text>'
        f'<text x="{LEFT - 8}" y="{MARKS_Y}" text-anchor="end">Sessions</text>'
    )
    out.append("</g>")
    return out


def _plot(
    weeks: Sequence[Mapping[str, Any]], key: str, axes: _Axes, *, top: bool, shape: str, dash: str
) -> list[str]:
    y = axes.y_top if top else axes.y_low
    name = key.replace("_", "-")
    out = [f'<g class="series {name}" stroke="#000" stroke-width="2" fill="#000">']
    for run in _segments(_series(weeks, key)):
        out.append(_line([(axes.x(w), y(v)) for w, v in run], "line", dash))
        label = "cramps per week" if top else "worst severity"
        out += [
            _marker(shape, axes.x(w), y(v), f"point {name}", f"week {w}: {label} {_fmt(v)}")
            for w, v in run
        ]
    if top:  # say where the diary is missing, so a gap is not read as a zero
        out += [
            f'<text class="no-data" x="{axes.x(w)}" y="{TOP[1] - 6}" text-anchor="middle" '
            f'stroke="none" font-size="{FONT - 2}">no data</text>'
            for w, v in _series(weeks, key)
            if v is None
        ]
    out.append("</g>")
    return out


def _pain(placed: Sequence[tuple[float, Mapping[str, Any]]], axes: _Axes) -> list[str]:
    points = [
        (x_week, float(s["pain_before"]), s)
        for x_week, s in placed
        if s.get("pain_before") is not None
    ]
    out = ['<g class="series pain" stroke="#000" stroke-width="2" fill="#fff">']
    coords = [(axes.x(x), axes.y_low(v)) for x, v, _ in points]
    out.append(_line(coords, "line", "2 3"))
    for (x, y), (_, v, s) in zip(coords, points, strict=True):
        label = f"pain before the session of {_date(s.get('date'))}: {_fmt(v, 0)}"
        out.append(_marker("triangle", x, y, "point pain", label))
    out.append("</g>")
    return out


def _legend(with_baseline: bool) -> list[str]:
    y = HEIGHT - 16
    items = [  # (x, marker, dash pattern, label)
        (LEFT, "circle", "", "cramps per week"),
        (LEFT + 158, "square", "6 4", "worst severity"),
        (LEFT + 298, "triangle", "2 3", "pain before session"),
    ]
    out = ['<g class="legend" stroke="#000" stroke-width="2">']
    for x, shape, dash, label in items:
        fill = "#000" if shape == "circle" else "#fff"
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" x2="{x + 28}" y1="{y}" y2="{y}"{dashes}/>')
        out.append(
            f'<g fill="{fill}">{_marker(shape, x + 14, y, "legend-mark", label)}</g>'
            f'<text x="{x + 34}" y="{y + 4}" stroke="none" fill="#000">{label}</text>'
        )
    if with_baseline:
        x = LEFT + 474
        out.append(
            f'<line x1="{x}" x2="{x + 28}" y1="{y}" y2="{y}" stroke-width="1.5" '
            f'stroke-dasharray="10 5"/><text x="{x + 34}" y="{y + 4}" stroke="none" '
            'fill="#000">baseline</text>'
        )
    out.append("</g>")
    return out


def chart_table(outcomes: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chart's numbers, one row per week after a baseline row, for the table beside it.
    ``None`` where a number is missing (the template shows a dash and the note)."""
    base = outcomes.get("baseline") or {}
    rows: list[dict[str, Any]] = [
        {
            "label": "Baseline",
            "dates": _span(_date(base.get("from")), _date(base.get("to"))),
            "days_logged": base.get("days"),
            "cramps": None,
            "frequency": _num(base.get("weekly_frequency")),
            "worst_severity": None,
            "sleep_disturbance": None,
            "sessions": None,
            "note": base.get("note") or f"from the {base.get('source', 'none')}",
        }
    ]
    for w in _weeks(outcomes):
        rows.append(
            {
                "label": f"Week {w['week']}",
                "dates": _span(_date(w.get("start")), _date(w.get("end"))),
                "days_logged": w.get("days_logged"),
                "cramps": w.get("cramps"),
                "frequency": _num(w.get("frequency")),
                "worst_severity": w.get("worst_severity"),
                "sleep_disturbance": w.get("sleep_disturbance"),
                "sessions": w.get("sessions"),
                "note": w.get("note") or "",
            }
        )
    return rows


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None:
        return ""
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
