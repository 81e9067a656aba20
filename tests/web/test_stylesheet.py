"""The stylesheet's urgency colours keep WCAG AA contrast, and every level has its own colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (
    Path(__file__).resolve().parents[2]
    / "crampcare"
    / "web"
    / "static"
    / "crampcare"
    / "crampcare.css"
).read_text(encoding="utf-8")
LEVELS = ["emergency", "urgent", "soon", "routine", "none"]


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def rule(selector: str) -> dict[str, str]:
    match = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", CSS)
    assert match, selector
    return dict(
        (k.strip(), v.strip())
        for k, v in (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    )


@pytest.mark.parametrize("level", LEVELS)
def test_each_urgency_level_reads_at_aa_contrast(level: str) -> None:
    colours = rule(f".urgency-{level}")
    assert contrast(colours["background"], colours["color"]) >= 4.5


def test_each_urgency_level_has_its_own_colour() -> None:
    assert len({rule(f".urgency-{level}")["background"] for level in LEVELS}) == len(LEVELS)


STATES = ["red", "amber", "caution", "clear"]


@pytest.mark.parametrize("state", STATES)
def test_each_banner_state_reads_at_aa_contrast(state: str) -> None:
    colours = rule(f".state-{state}")
    assert contrast(colours["background"], colours["color"]) >= 4.5


def test_only_the_clear_state_is_green() -> None:
    green = rule(".state-clear")["background"]
    assert green == rule(".urgency-none")["background"]
    others = {rule(f".state-{s}")["background"] for s in STATES if s != "clear"}
    assert green not in others and len(others) == len(STATES) - 1
    # a badge (patient list, timeline) does not know the cautions: its "none" is not green
    assert rule(".badge.urgency-none")["background"] != green
