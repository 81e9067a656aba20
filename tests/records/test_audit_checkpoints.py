"""Signed checkpoints: the key is made once and kept private, `audit checkpoint` signs each
chain's head into a file outside the database, and `verify` names every way the chains can
have been changed since: a changed entry, a consistent rewrite (hashes recomputed) before a
checkpoint, a truncation, a removed chain, an edited or foreign checkpoint."""

from __future__ import annotations

import base64
import json
import stat
import threading
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crampcare import cli
from crampcare.clinic import patients
from crampcare.records import audit
from crampcare.records import audit_checkpoints as checkpoints
from crampcare.records.audit_chain import chain_for
from crampcare.records.models import AuditHead
from tests.records import tamper
from tests.world import World


def willow(world: World) -> str:
    return chain_for(world.alice.clinic_id)


def file_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in checkpoints.checkpoint_file().read_text().splitlines()]


def test_the_key_is_made_once_private_with_its_public_half_beside_it(world: World) -> None:
    key = checkpoints.private_key()
    path = checkpoints.key_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.with_name(path.name + ".pub").exists()
    again = checkpoints.private_key()
    assert checkpoints.raw_key(again.public_key()) == checkpoints.raw_key(key.public_key())


def test_a_checkpoint_signs_every_chains_head(world: World) -> None:
    made = checkpoints.take()
    heads = {h.chain: (h.seq, h.hash) for h in AuditHead.objects.filter(seq__gt=0)}
    assert {c.chain: (c.seq, c.hash) for c in made} == heads
    assert [line["chain"] for line in file_lines()] == sorted(heads)
    report = audit.verify()
    assert report.ok and report.checkpoints == len(heads)


def test_only_changed_skips_chains_that_did_not_grow(world: World) -> None:
    checkpoints.take()
    patients.get_patient(world.alice, world.ellen["id"])
    assert [c.chain for c in checkpoints.take(only_changed=True)] == [willow(world)]


def test_a_changed_entry_is_named(world: World) -> None:
    checkpoints.take()
    tamper.sql(
        "UPDATE records_auditentry SET actor = %s WHERE chain = %s AND seq = %s",
        ["mallory", willow(world), 3],
    )
    problems = audit.verify().problems
    assert problems[0] == (
        f"chain {willow(world)}: entry 3 was changed: its content does not match its hash"
    )


def test_a_consistent_rewrite_before_a_checkpoint_is_named(world: World) -> None:
    """Hashes recomputed and the head moved: the chain links up, only the signature tells."""
    first = checkpoints.take()
    patients.get_patient(world.alice, world.ellen["id"])
    checkpoints.take()
    signed = next(c for c in first if c.chain == willow(world))
    tamper.rewrite(willow(world), 4, actor="mallory")
    assert audit.verify().problems == [
        f"chain {willow(world)}: rewritten: entry {signed.seq} no longer has the hash signed in "
        f"the checkpoint of {signed.at}, though the chain links up: entries between 1 and "
        f"{signed.seq} were changed and the hashes recomputed"
    ]


def test_a_rewrite_after_the_last_checkpoint_is_not_seen(world: World) -> None:
    """The limit the threat model states (docs/audit.md): what no checkpoint signed yet."""
    checkpoints.take()
    patients.get_patient(world.alice, world.ellen["id"])
    last = AuditHead.objects.get(chain=willow(world)).seq
    tamper.rewrite(willow(world), last, actor="mallory")
    assert audit.verify().ok


def test_a_truncation_is_named(world: World) -> None:
    made = checkpoints.take()
    signed = next(c for c in made if c.chain == willow(world))
    tamper.truncate(willow(world), keep=signed.seq - 3)
    assert audit.verify().problems == [
        f"chain {willow(world)}: truncated: the checkpoint of {signed.at} signed entry "
        f"{signed.seq}, the chain now ends at entry {signed.seq - 3}"
    ]


def test_a_removed_chain_is_named(world: World) -> None:
    made = checkpoints.take()
    birch = chain_for(world.bert.clinic_id)
    signed = next(c for c in made if c.chain == birch)
    tamper.remove_chain(birch)
    assert audit.verify().problems == [
        f"chain {birch}: removed: its entries and head are gone, but checkpoints signed it up "
        f"to entry {signed.seq}"
    ]


def test_an_edited_checkpoint_is_named(world: World) -> None:
    checkpoints.take()
    path = checkpoints.checkpoint_file()
    lines = file_lines()
    lines[0]["seq"] -= 1
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    problems = audit.verify().problems
    assert problems == [
        f"checkpoint of chain {lines[0]['chain']} at entry {lines[0]['seq']} ({lines[0]['at']}): "
        "the signature does not hold: edited after it was signed"
    ]


def test_a_checkpoint_signed_with_another_key_is_named(world: World, tmp_path: Path) -> None:
    """Someone who rewrote the chain signs a new checkpoint with a key of their own."""
    checkpoints.take()
    other = Ed25519PrivateKey.generate()
    head = AuditHead.objects.get(chain=willow(world))
    unsigned = checkpoints.Checkpoint(
        head.chain, head.seq, head.hash, "2026-12-01T00:00:00+00:00", "", ""
    )
    key = checkpoints.raw_key(other.public_key())
    signature = base64.b64encode(other.sign(unsigned.message())).decode()
    line = checkpoints.Checkpoint(head.chain, head.seq, head.hash, unsigned.at, key, signature)
    with checkpoints.checkpoint_file().open("a") as out:
        out.write(line.line() + "\n")
    assert audit.verify().problems == [
        f"checkpoint of chain {head.chain} at entry {head.seq} (2026-12-01T00:00:00+00:00): "
        "the signature does not hold: signed with another key"
    ]


def test_a_line_that_is_not_a_checkpoint_is_named(world: World) -> None:
    checkpoints.take()
    with checkpoints.checkpoint_file().open("a") as out:
        out.write("{not json\n")
    lines = checkpoints.checkpoint_file().read_text().splitlines()
    assert audit.verify().problems == [f"checkpoint file line {len(lines)} is not a checkpoint"]


def test_the_commands_checkpoint_print_and_verify(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["audit", "checkpoint", "--print"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == file_lines() and printed
    assert cli.main(["audit", "verify"]) == 0
    assert "checkpoints hold" in capsys.readouterr().out
    tamper.truncate(willow(world), keep=2)
    assert cli.main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"chain {willow(world)}: truncated" in err and "audit log FAILED" in err


def test_verify_reads_an_external_copy_with_the_public_key_alone(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoints.take()
    copy = tmp_path / "elsewhere.jsonl"
    copy.write_bytes(checkpoints.checkpoint_file().read_bytes())
    public = checkpoints.key_file().with_name("audit_key.pem.pub")
    checkpoints.checkpoint_file().unlink()
    checkpoints.key_file().unlink()  # only the public half is needed to verify
    report = audit.verify(checkpoint_file=copy, public_key=public)
    assert report.ok and report.checkpoints > 0


def test_the_schedule_checkpoints_after_its_first_delay_and_can_be_switched_off(
    world: World, settings: Any
) -> None:
    settings.AUDIT_CHECKPOINT_MINUTES = 0
    assert checkpoints.start_checkpoint_schedule() is None
    taken = threading.Event()
    settings.AUDIT_CHECKPOINT_MINUTES = 60
    with mock.patch.object(checkpoints, "take", side_effect=lambda **_: taken.set()) as take:
        stop = checkpoints.start_checkpoint_schedule(first_delay=0.5)
        assert stop is not None and not taken.wait(0.2)  # not before the first delay
        assert taken.wait(10)
        stop.set()
    take.assert_called_with(only_changed=True)
