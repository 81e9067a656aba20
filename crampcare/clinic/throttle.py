"""The sign-in throttle: a progressive delay per account and per client address.

Failures are counted in ``SignInThrottle`` rows, one for the account (the username as typed,
lower-cased, whether or not such a user exists) and one for the address. The first
``LOGIN_MAX_FAILURES`` failures of an account (``LOGIN_ADDRESS_MAX_FAILURES`` of an address) cost
nothing; from then on each failure makes the next attempt wait 1 s, 2 s, 4 s ... up to
``LOGIN_DELAY_MAX_SECONDS``. An attempt during the wait is answered 429 with the seconds left and
is not counted. Nobody is locked out: after the wait the right password works, so a guesser
slows an account down to one try per cap (60 s by default) but cannot keep its owner out for
longer. A success clears the account's count, never the address's (else a guesser with an account
of their own could clear it). Counts restart after ``LOGIN_WINDOW_SECONDS`` without failures.

Both rows are locked (``SELECT ... FOR UPDATE``, account first) from the check until the
caller's transaction ends, and a failure adds one with ``UPDATE ... SET failures = failures + 1``:
parallel guesses at one account are counted one after another, so none passes a limit that
another has already reached. Every failure is also kept as evidence (``LoginFailure``), pruned
only by age.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from crampcare.records.account_models import ThrottleKind
from crampcare.records.models import LoginFailure, SignInThrottle

MAX_DOUBLINGS = 30  # 2**30 s is far beyond any cap: keeps the power small


def now() -> dt.datetime:
    """The clock (tests replace it to let a wait pass)."""
    return timezone.now()


def delay_after(failures: int, free: int, cap: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures, ``free`` of them without
    delay: 0 below ``free``, then 1, 2, 4 ... up to ``cap``."""
    if failures < free:
        return 0
    return min(1 << min(failures - free, MAX_DOUBLINGS), cap)


def account_key(username: str) -> str:
    return username.strip().lower()[:150]


@dataclass
class Hold:
    """The two locked counters of one attempt."""

    account: SignInThrottle
    address: SignInThrottle

    def wait(self, at: dt.datetime) -> int:
        """Whole seconds until an attempt is allowed (0: now)."""
        ends = [r.blocked_until for r in (self.account, self.address) if r.blocked_until]
        latest = max(ends, default=None)
        if latest is None or latest <= at:
            return 0
        return max(1, math.ceil((latest - at).total_seconds()))


def hold(username: str, address: str) -> Hold:
    """Lock (creating them if new) the account's and the address's counters. Call inside
    ``transaction.atomic()``; the locks last until that transaction ends."""
    keys = [(ThrottleKind.ACCOUNT, account_key(username)), (ThrottleKind.ADDRESS, address[:150])]
    SignInThrottle.objects.bulk_create(
        [SignInThrottle(kind=k, key=v) for k, v in keys], ignore_conflicts=True
    )
    rows = [SignInThrottle.objects.select_for_update().get(kind=k, key=v) for k, v in keys]
    return Hold(*rows)


def failed(held: Hold, typed: str, address: str, at: dt.datetime) -> int:
    """Count one failure on both counters, set their waits and keep the evidence. Returns the
    account's failures in the window."""
    window = dt.timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    limits = [
        (held.account, settings.LOGIN_MAX_FAILURES),
        (held.address, settings.LOGIN_ADDRESS_MAX_FAILURES),
    ]
    for row, free in limits:
        rows = SignInThrottle.objects.filter(pk=row.pk)
        if row.last_failure_at is not None and at - row.last_failure_at > window:
            rows.update(failures=0)  # a quiet window: start again
        rows.update(failures=F("failures") + 1, last_failure_at=at)
        row.refresh_from_db(fields=["failures", "last_failure_at"])
        delay = delay_after(row.failures, free, settings.LOGIN_DELAY_MAX_SECONDS)
        row.blocked_until = at + dt.timedelta(seconds=delay) if delay else None
        rows.update(blocked_until=row.blocked_until)
    LoginFailure.objects.create(username=typed[:150], ip=address[:45], at=at)
    keep = dt.timedelta(days=settings.LOGIN_FAILURE_KEEP_DAYS)
    LoginFailure.objects.filter(at__lt=at - keep).delete()
    SignInThrottle.objects.filter(last_failure_at__lt=at - keep).delete()
    return held.account.failures


def succeeded(held: Hold) -> None:
    """A right password clears the account's count (not the address's)."""
    SignInThrottle.objects.filter(pk=held.account.pk).update(failures=0, blocked_until=None)
