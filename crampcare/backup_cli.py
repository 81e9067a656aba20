"""``crampcare backup [FILE]`` and ``crampcare restore FILE`` (docs/backups.md).

Exit codes: 0 done; 1 the backup or restore failed (a full disk, a damaged file, an audit
chain that does not verify after a restore); 2 bad usage, a wrong passphrase or a target that
is not empty.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

PASSPHRASE_HELP = (
    "read the passphrase from the first line of FILE (or set CRAMPCARE_BACKUP_PASSPHRASE)"
)


def add_commands(sub: Any) -> None:
    from crampcare.clinic_cli import _guarded

    backup = sub.add_parser(
        "backup",
        help="write a checked backup of the database and the audit files (safe while serving)",
    )
    backup.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="the backup file, or a folder for a dated name (default: CRAMPCARE_BACKUP_DIR)",
    )
    backup.add_argument("--passphrase-file", type=Path, metavar="FILE", help=PASSPHRASE_HELP)
    backup.add_argument(
        "--keep-daily", type=int, metavar="N", help="then keep the newest backup of N days"
    )
    backup.add_argument(
        "--keep-weekly", type=int, metavar="M", help="and the newest of M weeks (with --keep-daily)"
    )
    backup.set_defaults(func=_guarded(cmd_backup))

    restore = sub.add_parser(
        "restore", help="restore a backup into an empty data directory and database"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup file")
    restore.add_argument("--passphrase-file", type=Path, metavar="FILE", help=PASSPHRASE_HELP)
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore over a database that holds records (it is backed up first, then replaced)",
    )
    restore.set_defaults(func=_guarded(cmd_restore))


def _passphrase(args: argparse.Namespace) -> str | None:
    from crampcare.clinic_cli import CommandError

    if args.passphrase_file is None:
        return os.environ.get("CRAMPCARE_BACKUP_PASSPHRASE") or None
    try:
        lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"--passphrase-file {args.passphrase_file}: {exc.strerror}") from None
    if not lines or not lines[0]:
        raise CommandError(f"--passphrase-file {args.passphrase_file}: the first line is empty")
    return str(lines[0])


def cmd_backup(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_FAILED, EXIT_OK, CommandError, _prepare

    for name in ("keep_daily", "keep_weekly"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 3650:
            raise CommandError(f"--{name.replace('_', '-')} {value}: use 0 to 3650")
    if (args.keep_weekly is not None) and args.keep_daily is None:
        raise CommandError("--keep-weekly: give --keep-daily too")
    secret = _passphrase(args)
    _prepare()
    from crampcare.backup import make, retention

    try:
        made = make.take(args.file, secret)
    except make.BackupError as exc:
        raise CommandError(f"backup: {exc}", EXIT_FAILED) from None
    rows = sum(made.manifest["tables"].values())
    size = made.path.stat().st_size / 1e6
    sealed = "encrypted" if secret else "NOT encrypted"
    print(f"backup written and checked: {made.path} ({size:.1f} MB, {sealed})")
    print(
        f"  {rows} rows in {len(made.manifest['tables'])} tables from "
        f"{made.manifest['database']}, kb_version {made.manifest['kb_version']}"
    )
    if args.keep_daily is not None:
        pruned = retention.prune(made.path.parent, args.keep_daily, args.keep_weekly or 0, secret)
        print(f"  kept {len(pruned.kept)} backup(s), removed {len(pruned.removed)}")
        for path in pruned.removed:
            print(f"    removed {path.name}")
        for path, why in pruned.skipped:
            print(f"    left alone {path.name}: {why}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, CommandError, _prepare

    secret = _passphrase(args)
    _prepare()
    from crampcare.backup import archive, restore

    try:
        done = restore.restore(args.file, secret, force=args.force)
    except archive.BadBackup as exc:
        wrong = "passphrase" in str(exc)
        raise CommandError(f"restore: {exc}", EXIT_INPUT if wrong else EXIT_FAILED) from None
    except restore.RestoreError as exc:
        raise CommandError(f"restore: {exc}") from None
    manifest = done.manifest
    if done.safety_backup:
        print(f"the database that was here is kept in {done.safety_backup}")
    for path in done.set_aside:
        print(f"set aside: {path}")
    print(
        f"restored {args.file.name}: taken {manifest['created_at']} from "
        f"{manifest['database']} by crampcare {manifest['crampcare_version']}"
    )
    for table, count in done.tables.items():
        if count:
            print(f"  {table:<36} {count:>8}")
    print(f"  {sum(done.tables.values())} rows in all")
    if manifest["kb_version"] == done.kb_version:
        print(f"kb_version {done.kb_version}: the same as the running crampcare's")
    else:
        print(
            f"kb_version {manifest['kb_version']} in the backup, {done.kb_version} running: "
            "the assessments were made under another knowledge base ('crampcare reassess' "
            "re-assesses them)"
        )
    report = done.audit
    if report.ok:
        print(
            f"audit log OK: {report.entries} entries in {len(report.chains)} chains, "
            f"{report.checkpoints} checkpoints hold"
        )
        return EXIT_OK
    for problem in report.problems:
        print(f"audit log: {problem}")
    print(f"audit log FAILED after the restore: {len(report.problems)} problem(s)")
    return EXIT_FAILED
