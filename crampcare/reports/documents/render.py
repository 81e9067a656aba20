"""HTML to PDF: the documents' templates rendered with Django's template language, then laid
out by WeasyPrint (Pango draws the text; the Chinese characters of point names come from the
WenQuanYi Zen Hei font that scripts/bootstrap.sh installs).

The templates live in ``crampcare/reports/templates`` with one stylesheet, ``documents.css``, for
print: A4, sans-serif text in black, tables with rules, no colour that carries meaning.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.template import Context, Engine

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@functools.cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True, string_if_invalid="")


def html(template: str, context: dict[str, Any]) -> str:
    """The document as HTML (the PDF's source; the tests read it too)."""
    return str(_engine().get_template(template).render(Context(context, autoescape=True)))


def pdf(source: str) -> bytes:
    """The HTML laid out as a PDF with the print stylesheet. The documents refer to no file or
    URL (the chart is inline SVG), so nothing is fetched while laying out."""
    from weasyprint import CSS, HTML  # imported here: loading Pango costs time at start-up

    style = CSS(string=(TEMPLATES / "documents.css").read_text(encoding="utf-8"))
    return bytes(HTML(string=source).write_pdf(stylesheets=[style]))


def render(template: str, context: dict[str, Any]) -> bytes:
    return pdf(html(template, context))
