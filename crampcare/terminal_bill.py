"""Text for a terminal: a bill of CPT codes with the reason for each, for a person to check."""

from __future__ import annotations

from typing import Any

from crampcare.terminal import Style, _wrap


def bill(data: dict[str, Any], style: Style) -> str:
    out: list[str] = [style.head("cpt codes")]
    for line in data["lines"]:
        who = f" · patient {line['patient']}" if line["patient"] else ""
        out.append(
            f"  {line['date']}{who}  {style(line['code'], '1')} x{line['units']}  "
            f"{line['description']}"
        )
        out += [_wrap(f"- {why}", "      ") for why in line["because"]]
    if not data["lines"]:
        out.append("  nothing to bill")
    out.append(f"  total units: {data['total_units']}")
    if data["not_billed"]:
        out.append(style.head("not billed"))
        for entry in data["not_billed"]:
            who = f" · patient {entry['patient']}" if entry["patient"] else ""
            out.append(f"  {entry['date']}{who}")
            out.append(_wrap(f"- {entry['because']}", "      "))
    if data["diagnoses"]:
        out.append(style.head("diagnoses (icd-10-cm)"))
        for d in data["diagnoses"]:
            code = d["code"] or "code not known"
            display = f" ({d['display']})" if d["display"] else ""
            note = f": {d['note']}" if d["note"] else ""
            out.append(_wrap(f"{d['role']}: {code} {d['condition']}{display}{note}", "  "))
    if data["issues"]:
        out.append(style.head("issues"))
        out += [_wrap(f"- {style(issue, '33')}", "  ") for issue in data["issues"]]
    return "\n".join(out)
