"""Read ``mutmut results --all true`` on stdin and print the mutation score per module.

A mutant counts as killed when a test failed (``killed``) or it made the tests hang
(``timeout``); ``survived`` and ``no tests`` count against the score; ``skipped`` and
``not checked`` (not run yet) are reported but left out of the score.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*(?P<name>\S+?): (?P<status>.+?)\s*$")
KILLED = {"killed", "timeout", "caught by type check"}
NOT_SCORED = {"skipped", "not checked", "check was interrupted by user"}


def module_of(mutant: str) -> str:
    """crampcare.core.safety.xǁEffectsǁlimit__mutmut_3 -> crampcare.core.safety"""
    return re.split(r"\.x(?:_|ǁ)", mutant, maxsplit=1)[0]


def main() -> int:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in sys.stdin:
        found = LINE.match(line)
        if not found:
            continue
        name, status = found["name"], found["status"]
        by_module[module_of(name)][status] += 1
        if status not in KILLED | NOT_SCORED:
            survivors.append(f"{name}: {status}")
    total_killed = total_scored = 0
    print(f"{'module':40} {'killed':>7} {'scored':>7} {'score':>7}  other")
    for module in sorted(by_module):
        counts = by_module[module]
        killed = sum(counts[s] for s in KILLED)
        scored = sum(n for s, n in counts.items() if s not in NOT_SCORED)
        other = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()) if s not in KILLED)
        score = f"{100 * killed / scored:.1f}%" if scored else "-"
        print(f"{module:40} {killed:7} {scored:7} {score:>7}  {other}")
        total_killed += killed
        total_scored += scored
    if total_scored:
        score = 100 * total_killed / total_scored
        print(f"{'total':40} {total_killed:7} {total_scored:7} {score:6.1f}%")
    if survivors:
        print("\nsurviving mutants (mutmut show NAME for the diff):")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
