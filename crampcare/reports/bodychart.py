"""The body chart: front and back figures with the suggested points marked on the correct side.

Chart marks in the knowledge base are given for the patient's right side, in per cent of a
standing figure (x from the image's left edge, y from the top of the head to the soles). The
front view shows the patient's right on the image's left; the back view shows it on the
image's right. A mark for the patient's left side is the mirror image (x -> 100 - x).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from crampcare.kb.loader import KnowledgeBase

# a point to mark: the assessment's suggestion (core.contract.PointOut) or a plan's point, each
# with its code, side, role and region (the plan's own points have the role "added")
ChartPoint = Mapping[str, Any]

WIDTH, HEIGHT, GAP = 200, 440, 40
VIEWS = ("front", "back")
ROLE_COLOUR = {"local": "#b42318", "distal": "#1d4ed8", "pattern": "#6d28d9"}

# where to mark tender (ASHI) points, by region: (view, x, y) for the patient's right side
REGION_ANCHORS: dict[str, tuple[str, float, float]] = {
    "calf": ("back", 58, 79),
    "thigh": ("front", 41, 57),
    "hamstring": ("back", 58, 62),
    "foot": ("front", 41, 98),
    "low_back": ("back", 58, 40),
    "upper_back": ("back", 56, 22),
    "neck": ("back", 56, 13.5),
    "shoulder": ("back", 64, 15),
    "arm": ("front", 30, 28),
    "forearm": ("front", 24, 40),
    "hand": ("front", 20, 50),
    "face": ("front", 46, 6),
    "jaw": ("front", 46, 9),
    "head": ("back", 50, 4),
}

# a plain standing figure, in pixels of one WIDTH x HEIGHT panel
FIGURE = (
    '<ellipse cx="100" cy="26" rx="14" ry="20"/>'
    '<rect x="92" y="44" width="16" height="14"/>'
    '<path d="M62 58 H138 L134 200 H66 Z"/>'
    '<path d="M66 62 L44 150 L36 225 M134 62 L156 150 L164 225" fill="none" '
    'stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/>'
    '<path d="M84 198 L80 320 L82 430 M116 198 L120 320 L118 430" fill="none" '
    'stroke-width="26" stroke-linecap="round" stroke-linejoin="round"/>'
)


@dataclass(frozen=True)
class Mark:
    code: str
    view: str
    x: float  # per cent of the panel, image coordinates
    y: float
    side: str  # the patient's side this mark stands for: left, right or midline
    role: str
    label: str


def _sides(point: ChartPoint) -> tuple[str, ...]:
    return {"both": ("right", "left"), "midline": ("midline",)}.get(point["side"], (point["side"],))


def marks(points: Sequence[ChartPoint], kb: KnowledgeBase) -> list[Mark]:
    """Every mark to draw: one per point and side, mirrored for the patient's left."""
    region_ids = {name: rid for rid, name in kb.vocab_names["regions"].items()}
    out: list[Mark] = []
    for point in points:
        if point["code"] == "ASHI":
            anchor = REGION_ANCHORS.get(region_ids.get(point["region"] or "", ""))
            places = [anchor] if anchor else []
        else:
            places = [(m.view, m.x, m.y) for m in kb.points[point["code"]].chart]
        for view, x, y in places:
            for side in _sides(point):
                mirrored = 100 - x if side == "left" else 50 if side == "midline" else x
                label = f"{point['code']} {side}" + (
                    f" ({point['region']})" if point["region"] else ""
                )
                out.append(Mark(point["code"], view, mirrored, y, side, point["role"], label))
    return out


def body_chart_svg(
    points: Sequence[ChartPoint], kb: KnowledgeBase, title: str = "Body chart"
) -> str:
    """An accessible SVG of both views with every suggested point marked."""
    width = 2 * WIDTH + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT + 30}" '
        f'role="img" aria-labelledby="chart-title" class="body-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    by_view = {view: [m for m in marks(points, kb) if m.view == view] for view in VIEWS}
    for i, view in enumerate(VIEWS):
        left = i * (WIDTH + GAP)
        patient_right_x = 20 if view == "front" else WIDTH - 20
        patient_left_x = WIDTH - patient_right_x
        parts += [
            f'<g transform="translate({left} 0)" data-view="{view}">',
            f'<text x="{WIDTH / 2}" y="{HEIGHT + 24}" text-anchor="middle" '
            f'class="chart-view">{view.capitalize()}</text>',
            f'<text x="{patient_right_x}" y="14" text-anchor="middle" class="chart-side">R</text>',
            f'<text x="{patient_left_x}" y="14" text-anchor="middle" class="chart-side">L</text>',
            f'<g class="figure" fill="#e7ecf3" stroke="#94a3b8">{FIGURE}</g>',
            '<g font-family="system-ui, sans-serif" font-size="11" fill="#111827">',
        ]
        for mark in by_view[view]:
            cx, cy = mark.x / 100 * WIDTH, mark.y / 100 * HEIGHT
            colour = ROLE_COLOUR.get(mark.role, "#111827")
            # labels point away from the midline, so that left and right marks do not collide
            outward = mark.x >= 50
            tx, anchor = (cx + 7, "start") if outward else (cx - 7, "end")
            parts.append(
                f'<g class="point" data-code="{escape(mark.code)}" data-side="{mark.side}" '
                f'data-role="{mark.role}"><title>{escape(mark.label)}</title>'
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}" stroke="#fff" '
                f'stroke-width="1.5"/><text x="{tx:.1f}" y="{cy + 3:.1f}" '
                f'text-anchor="{anchor}" class="point-label">{escape(mark.code)}</text></g>'
            )
        parts.append("</g></g>")
    parts.append("</svg>")
    return "".join(parts)
