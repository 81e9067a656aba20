"""Turning source ids into the citations every conclusion carries."""

from __future__ import annotations

from collections.abc import Iterable

from crampcare.core.contract import SourceRef
from crampcare.kb.loader import KnowledgeBase


def cite(kb: KnowledgeBase, ids: Iterable[str]) -> list[SourceRef]:
    """Citations for ``ids``, each once, in the order given."""
    refs: list[SourceRef] = []
    seen: set[str] = set()
    for sid in ids:
        if sid in seen:
            continue
        seen.add(sid)
        src = kb.sources[sid]
        year = f" ({src.year})" if src.year else ""
        url = src.url or (f"https://doi.org/{src.doi}" if src.doi else None)
        if url is None and src.pmid:
            url = f"https://pubmed.ncbi.nlm.nih.gov/{src.pmid}/"
        refs.append({"id": sid, "citation": f"{src.authors}{year}. {src.title}", "url": url})
    return refs
