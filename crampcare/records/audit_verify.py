"""Verifying the audit log: each chain's hashes and links, its head, and the signed checkpoints.

Every problem names the chain, the entry (by its number) and what changed: an entry's content,
a removed entry, entries removed from the end, a chain rewritten consistently (hashes
recomputed) before a checkpoint signed it, a chain shorter than a checkpoint (truncated), a
chain that was removed, and a checkpoint whose signature does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crampcare.records import audit_checkpoints as checkpoints
from crampcare.records.audit_chain import GENESIS, digest
from crampcare.records.models import AuditEntry, AuditHead


@dataclass
class Report:
    entries: int = 0
    chains: dict[str, tuple[int, str]] = field(default_factory=dict)  # chain: (seq, hash)
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Chain:
    name: str
    wanted: set[int]
    entries: int = 0
    last: int = 0
    prev_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)  # at the checkpoints' numbers

    def add(self, entry: AuditEntry) -> None:
        self.entries += 1
        expected = self.last + 1
        if entry.seq > expected:
            gap = _span(expected, entry.seq - 1)
            self.problems.append(f"entry {gap} was removed (numbers jump to {entry.seq})")
        if digest(entry) != entry.hash:
            self.problems.append(
                f"entry {entry.seq} was changed: its content does not match its hash"
            )
        if entry.prev_hash != self.prev_hash and entry.seq == expected:
            self.problems.append(
                f"entry {entry.seq} does not follow entry {entry.seq - 1}: "
                f"entry {entry.seq - 1} was changed or replaced"
            )
        if entry.seq in self.wanted:
            self.hashes[entry.seq] = entry.hash
        self.last, self.prev_hash = entry.seq, entry.hash

    def against_head(self, head: AuditHead | None) -> None:
        if head is None:
            self.problems.append("its head is missing (it was deleted)")
        elif head.seq > self.last:
            gap = _span(self.last + 1, head.seq)
            self.problems.append(f"entry {gap} was removed from the end of the chain")
        elif head.seq < self.last:
            self.problems.append(
                f"entry {_span(head.seq + 1, self.last)} not appended through crampcare "
                "(they are past the recorded head)"
            )
        elif head.hash != self.prev_hash:
            self.problems.append(
                f"entry {self.last} was changed or replaced: it does not match the head"
            )

    def against(self, signed: list[checkpoints.Checkpoint]) -> None:
        """The chain must still hold every signed hash and be at least as long."""
        consistent = not self.problems
        good = 0
        for cp in sorted(signed, key=lambda c: c.seq):
            if cp.seq > self.last:
                self.problems.append(
                    f"truncated: the checkpoint of {cp.at} signed entry {cp.seq}, "
                    f"the chain now ends at entry {self.last}"
                )
                return
            actual = self.hashes.get(cp.seq)
            if actual is None or actual == cp.hash:
                good = max(good, cp.seq) if actual else good
                continue
            if consistent:
                self.problems.append(
                    f"rewritten: entry {cp.seq} no longer has the hash signed in the checkpoint "
                    f"of {cp.at}, though the chain links up: entries between {good + 1} and "
                    f"{cp.seq} were changed and the hashes recomputed"
                )
            else:
                self.problems.append(
                    f"entry {cp.seq} no longer has the hash signed in the checkpoint of {cp.at}"
                )
            return


def verify(*, checkpoint_file: Path | None = None, public_key: Path | None = None) -> Report:
    """Recompute every chain and check it against its signed checkpoints."""
    report = Report()
    signed = _valid_checkpoints(report, checkpoint_file, public_key)
    wanted: dict[str, set[int]] = {}
    for cp in signed:
        wanted.setdefault(cp.chain, set()).add(cp.seq)
    heads = {head.chain: head for head in AuditHead.objects.all()}
    chains: dict[str, _Chain] = {}
    current: _Chain | None = None
    for entry in AuditEntry.objects.order_by("chain", "seq").iterator(chunk_size=2000):
        if current is None or current.name != entry.chain:
            current = chains[entry.chain] = _Chain(entry.chain, wanted.get(entry.chain, set()))
        current.add(entry)
    for name in sorted(set(heads) | set(chains) | set(wanted)):
        chain = chains.get(name) or _Chain(name, set())
        head = heads.get(name)
        if name not in heads and name not in chains:
            report.problems.append(
                f"chain {name}: removed: its entries and head are gone, but checkpoints "
                f"signed it up to entry {max(wanted[name])}"
            )
            continue
        chain.against_head(head)
        chain.against([cp for cp in signed if cp.chain == name])
        report.entries += chain.entries
        if head is not None:
            report.chains[name] = (head.seq, head.hash)
        report.problems += [f"chain {name}: {problem}" for problem in chain.problems]
    return report


def _valid_checkpoints(
    report: Report, path: Path | None, public: Path | None
) -> list[checkpoints.Checkpoint]:
    found, problems = checkpoints.read(path)
    report.problems += problems
    report.checkpoints = len(found)
    if not found:
        return []
    key = checkpoints.public_key(public)
    if key is None:
        report.problems.append(
            f"{len(found)} checkpoints, but no public key to check them with "
            f"({checkpoints.key_file()}.pub is missing)"
        )
        return []
    ours = checkpoints.raw_key(key)
    valid = []
    for cp in found:
        if checkpoints.signed_by(cp, key):
            valid.append(cp)
            continue
        why = "signed with another key" if cp.key != ours else "edited after it was signed"
        report.problems.append(
            f"checkpoint of chain {cp.chain} at entry {cp.seq} ({cp.at}): the signature does "
            f"not hold: {why}"
        )
    return valid


def _span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first} to {last}"
