"""Text for a terminal: knowledge-base cards and the one-page assessment summary.

Colour only when writing to a terminal (and NO_COLOR is unset); plain text when piped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crampcare.core.contract import Assessment

URGENCY_COLOUR = {
    "emergency": "41;97;1",
    "urgent": "31;1",
    "soon": "33;1",
    "routine": "36",
    "none": "32",
}


class Style:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def head(self, text: str) -> str:
        return self(text.upper(), "1")


def _wrap(text: str, indent: str = "    ", width: int = 96) -> str:
    """Wrap ``text`` at ``width``; continuation lines hang two spaces under the first."""
    lines: list[str] = []
    line = indent
    for word in text.split():
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent + "  "
        line += word + " "
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def _first_sentence(text: str) -> str:
    """The first sentence: the one-page summary keeps the gist; --format json has it all."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _cites(sources: Iterable[Mapping[str, Any]]) -> str:
    return "; ".join(s["id"] for s in sources)


def card(data: dict[str, Any], style: Style) -> str:
    """A knowledge-base entry as readable text."""
    if data["type"] == "point":
        return _point_card(data, style)
    lines = [
        style.head(f"{data['type'].replace('_', ' ')}: {data.get('name', data['id'])}"),
        f"  id: {data['id']}",
    ]
    for key, value in data.items():
        if key in ("type", "id", "name", "sources"):
            continue
        if isinstance(value, list | dict) and not value:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            lines.append(f"  {key}: {', '.join(value)}")
        elif isinstance(value, list | dict):
            lines.append(f"  {key}:")
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, dict):
                    lines.append(
                        "    - "
                        + ", ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, [], {}))
                    )
                else:
                    lines.append(f"    - {item}")
        else:
            lines.append(f"  {key}: {value}")
    lines.append("  sources:")
    lines.extend(
        f"    [{s['id']}] {s['authors']} ({s['year'] or 'n.d.'}). {s['title']}"
        for s in data.get("sources", [])
    )
    return "\n".join(lines)


def _point_card(p: dict[str, Any], style: Style) -> str:
    lines = [
        style(
            f"{p['code']}  {p['pinyin']}  {p['chinese']['traditional']}"
            f" / {p['chinese']['simplified']}  {p['english']}",
            "1",
        ),
        f"  meridian: {p['meridian']}   region: {p['body_region']}",
        "  location:",
        _wrap(p["location"]),
    ]
    if p["location_note"]:
        lines += ["  where sources disagree:", _wrap(p["location_note"])]
    lines.append("  depth:")
    for d in p["depths"]:
        note = f" ({d['note']})" if d.get("note") else ""
        lines.append(
            f"    {d['min_cun']:g}-{d['max_cun']:g} cun, {d['angle']} [{d['source']}]{note}"
        )
    if p["depth_note"]:
        lines.append(_wrap(p["depth_note"]))
    lines.append(
        f"  positions: {', '.join(p['positions'])} (verification: {p['positions_verification']})"
    )
    lines.append("  cautions:")
    for c in p["cautions"] or [
        {"kind": "none", "summary": "no point-specific caution", "verification": "-", "sources": []}
    ]:
        lines.append(
            _wrap(
                f"- {style(c['kind'], '33')}: {c['summary']} "
                f"[{c['verification']}; {', '.join(c['sources'])}]",
                "    ",
                100,
            )
        )
    lines.append("  indications:")
    for i in p["indications"]:
        lines.append(
            _wrap(f"- {i['text']} [{i['verification']}; {', '.join(i['sources'])}]", "    ", 100)
        )
    lines.append(f"  verification: {p['verification']}")
    lines.append("  sources:")
    lines.extend(
        f"    [{s['id']}] {s['authors']} ({s['year'] or 'n.d.'}). {s['title']}"
        for s in p["sources"]
    )
    return "\n".join(lines)


def assessment(a: Assessment, style: Style) -> str:
    """The one-page summary a clinician reads at a glance: urgency first."""
    urgency = a["referral"]["urgency"]
    banner = f" REFERRAL: {urgency.upper()} "
    out = [style(banner, URGENCY_COLOUR[urgency])]
    needling = a["needling"]
    out.append(
        ("Needling allowed. " if needling["allowed"] else style("NEEDLING NOT ALLOWED. ", "31;1"))
        + needling["reason"]
    )
    if a["red_flags"]:
        out.append("")
        out.append(style.head("Red flags"))
        for f in a["red_flags"]:
            out.append(
                f"  [{style(f['urgency'], URGENCY_COLOUR[f['urgency']])}] {f['name']}"
                f" - because {'; '.join(f['because'])}"
            )
            out.append(_wrap(f"Action: {f['action']} [{_cites(f['sources'])}]", "      "))
    if a["cautions"]:
        out += ["", style.head("Cautions")]
        for caution in a["cautions"]:
            text = f"- {caution['name']}: {caution['summary']} [{_cites(caution['sources'])}]"
            out.append(_wrap(text, "  ", 100))
    labs = [
        r
        for r in a.get("lab_results", [])
        if r["status"] != "current" or r["judgement"] != "normal"
    ]
    if labs:
        out += ["", style.head("Laboratory results to note")]
        for r in labs:
            when = r["date"] or "undated"
            note = f" - {r['note']}" if r["note"] else ""
            out.append(
                _wrap(
                    f"- {r['name']} {r['value']} ({when}): {r['judgement'].replace('_', ' ')}, "
                    f"{r['status']}{note}",
                    "  ",
                    100,
                )
            )
    if a["contributing_factors"]:
        out += ["", style.head("Contributing factors")]
        for factor in a["contributing_factors"]:
            cites = _cites(factor["sources"])
            out.append(
                _wrap(
                    f"- ({factor['kind']}, {factor['certainty']}) {factor['summary']} [{cites}]",
                    "  ",
                    100,
                )
            )
    if a["patterns"]:
        out += ["", style.head("TCM patterns")]
        for p in a["patterns"]:
            code = f" {p['icd11']}" if p["icd11"] else ""
            out.append(f"  {p['name']}{code} - {'; '.join(p['because'])}")
    out += ["", style.head("Points")]
    if not a["points"]:
        out.append("  none suggested" + ("" if needling["allowed"] else " (needling deferred)"))
    for pt in a["points"]:
        where = f" ({pt['region']})" if pt["region"] else ""
        out.append(
            f"  {pt['code']:<5} {pt['side']:<7} {pt['role']:<8} {pt['name']}{where}"
            f"  [{pt['certainty']}]"
        )
        out.append(_wrap("why: " + "; ".join(pt["because"]), "        ", 100))
        for note in pt["cautions"]:
            out.append(_wrap(style("! ", "33") + note, "        ", 100))
    if a["avoid_points"]:
        out += ["", style.head("Avoid")]
        for av in a["avoid_points"]:
            out.append(_wrap(f"- {av['code']}: {av['reason']}", "  ", 100))
    s, c = a["session"], a["course"]
    out += ["", style.head("Plan")]
    if s.get("deferred"):
        out.append(f"  {s['note']}")
    else:
        out.append(
            f"  positions: {', '.join(s['positions'])}; needles: "
            f"{s['needle_count']['planned']} planned (range {s['needle_count']['min']}-"
            f"{s['needle_count']['max']}); retention {s['retention_minutes']['min']}-"
            f"{s['retention_minutes']['max']} min; stimulation: "
            f"{', '.join(s['stimulation'])}"
        )
        if s.get("note"):
            out.append(_wrap(s["note"], "  ", 100))
    out.append(
        f"  electroacupuncture: {'allowed' if a['electroacupuncture']['allowed'] else 'no'}"
        f" - {a['electroacupuncture']['reason']}"
    )
    starts = " after medical clearance" if c.get("starts") == "after_medical_clearance" else ""
    out.append(
        f"  course{starts}: {c['sessions']['min']}-{c['sessions']['max']} sessions, review at "
        f"{', '.join(str(n) for n in c['review_at'])}"
    )
    if a["advice"]:
        out += ["", style.head("Advice for the patient")]
        for item in a["advice_details"]:
            out.append(_wrap(f"- {_first_sentence(item['text'])} [{item['certainty']}]", "  ", 100))
    unknown = a["unrecognised"]
    if unknown["medications"] or unknown["conditions"]:
        out += ["", style.head("Not recognised (check by hand)")]
        out += [f"  medication: {m}" for m in unknown["medications"]]
        out += [f"  condition: {m}" for m in unknown["conditions"]]
    out += [
        "",
        style.head("Evidence"),
        _wrap(a["evidence"], "  ", 100),
        "",
        _wrap(a["disclaimer"], "", 100),
        f"kb {a['kb_version']} · {a['assessed_on']}",
    ]
    return "\n".join(out)
