"""One ticket's service levels, pure: the clock of its first-response and resolution targets.

The policy's terms (clocks.sla) are copied onto the ticket when it opens: editing a policy
later does not move running tickets' due times. ``Clock`` changes only through the methods
below, each taking the moment from the caller and returning the new clock and the ``Alarm``s
(warning, breach) that became due, at most one of each kind per target between restarts:

* ``answered`` settles the first response: met before its due time, else breached.
* ``changed(paused)`` (waiting on the customer) stops the resolution clock;
  ``changed(running)`` resumes it, pushing its due time by the business time spent paused.
  The first response never pauses.
* ``changed(done)`` (resolved, closed) settles both targets; ``changed(running)`` after
  ``done`` (a reopened ticket) restarts the resolution target in full from that moment. The
  first response stays settled: it is about the ticket's first answer.
* ``check`` raises the warnings and breaches whose time has come; a target already past due
  when first checked gets its breach only (a warning would come too late to act on).
* ``retarget`` applies another policy (the priority changed).

A target is breached from its due moment on (met means strictly before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from clocks import _fields as f
from clocks.business_time import business_seconds_between, due_at
from clocks.sla import State, Target, Terms


class Phase(StrEnum):
    """What a ticket's status means for the clock."""

    running = "running"  # waiting, offered, assigned
    paused = "paused"  # pending: waiting on the customer
    done = "done"  # resolved, closed


RUNNING = frozenset({State.ok, State.warning})


@dataclass(frozen=True, slots=True)
class Alarm:
    """A warning or a breach to record."""

    kind: State  # warning or breached
    target: Target
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Clock:
    """One ticket's service levels (see the module docstring for how it moves)."""

    terms: Terms
    started_at: datetime  # the first-response clock's start
    resolution_started_at: datetime
    first_response: State | None
    resolution: State | None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0  # business seconds paused since resolution_started_at
    settled: bool = False

    @classmethod
    def start(cls, terms: Terms, now: datetime) -> Clock:
        return cls(
            terms=terms,
            started_at=now,
            resolution_started_at=now,
            first_response=State.ok if terms.first_response_seconds else None,
            resolution=State.ok if terms.resolution_seconds else None,
        )

    # What it says.

    def state(self, target: Target) -> State | None:
        return self.first_response if target == Target.first_response else self.resolution

    def running(self, target: Target) -> bool:
        """Counting down now: not settled, and for the resolution not paused."""
        if self.state(target) not in RUNNING:
            return False
        return target == Target.first_response or (not self.settled and self.paused_at is None)

    def due(self, target: Target) -> datetime | None:
        return self._after(target, 1.0)

    def warning_at(self, target: Target) -> datetime | None:
        return self._after(target, self.terms.warning_ratio)

    def next_check(self) -> datetime | None:
        """When ``check`` may next have something to say (None: nothing is running)."""
        moments = [
            self.warning_at(t) if self.state(t) == State.ok else self.due(t)
            for t in Target
            if self.running(t)
        ]
        return min((m for m in moments if m is not None), default=None)

    # How it moves.

    def check(self, now: datetime) -> tuple[Clock, list[Alarm]]:
        clock, alarms = self, []
        for target in Target:
            due, warning = clock.due(target), clock.warning_at(target)
            if not clock.running(target) or due is None or warning is None:
                continue
            if now >= due:
                clock, alarm = (
                    clock._with(target, State.breached),
                    Alarm(State.breached, target, due),
                )
            elif clock.state(target) == State.ok and now >= warning:
                clock, alarm = clock._with(target, State.warning), Alarm(State.warning, target, due)
            else:
                continue
            alarms.append(alarm)
        return clock, alarms

    def answered(self, now: datetime) -> tuple[Clock, list[Alarm]]:
        return self._settled(Target.first_response, now).check(now)

    def changed(self, phase: Phase, now: datetime) -> tuple[Clock, list[Alarm]]:
        """The ticket's status moved into ``phase`` at ``now``."""
        clock = self
        if phase != Phase.paused and clock.paused_at is not None:
            spent = business_seconds_between(clock.paused_at, now, clock.terms.hours)
            clock = replace(clock, paused_at=None, paused_seconds=clock.paused_seconds + spent)
        elif phase == Phase.running and clock.settled:
            clock = clock._restarted(now)
        if phase == Phase.done and not clock.settled:
            for target in Target:
                clock = clock._settled(target, now)
            clock, alarms = clock.check(now)  # what was late is breached
            return replace(clock, settled=True), alarms
        clock, alarms = clock.check(now)
        if phase == Phase.paused and clock.running(Target.resolution):
            clock = replace(clock, paused_at=now)
        return clock, alarms

    def retarget(self, terms: Terms, now: datetime, *, answered: bool) -> tuple[Clock, list[Alarm]]:
        """Another policy applies from now (the priority changed): running targets are
        judged again on the new terms from their original start. A breach stands; a warning
        already given is not given again."""
        states = {target: self._retargeted(target, terms, answered=answered) for target in Target}
        clock = replace(
            self,
            terms=terms,
            first_response=states[Target.first_response],
            resolution=states[Target.resolution],
        )
        clock, alarms = clock.check(now)
        kept = [
            a
            for a in alarms
            if not (a.kind == State.warning and self.state(a.target) == State.warning)
        ]
        return clock, kept

    # Helpers.

    def _after(self, target: Target, share: float) -> datetime | None:
        seconds = self.terms.seconds(target)
        if seconds is None:
            return None
        if target == Target.first_response:
            return due_at(self.started_at, seconds * share, self.terms.hours)
        return due_at(
            self.resolution_started_at, seconds * share + self.paused_seconds, self.terms.hours
        )

    def _settled(self, target: Target, now: datetime) -> Clock:
        """Met if running and in time (what is late is left to ``check``)."""
        due = self.due(target)
        if self.running(target) and due is not None and now < due:
            return self._with(target, State.met)
        return self

    def _with(self, target: Target, state: State) -> Clock:
        if target == Target.first_response:
            return replace(self, first_response=state)
        return replace(self, resolution=state)

    def _restarted(self, now: datetime) -> Clock:
        return replace(
            self,
            resolution_started_at=now,
            paused_seconds=0.0,
            paused_at=None,
            settled=False,
            resolution=State.ok if self.terms.resolution_seconds else None,
        )

    def _retargeted(self, target: Target, terms: Terms, *, answered: bool) -> State | None:
        current = self.state(target)
        if terms.seconds(target) is None:
            return current if current in (State.met, State.breached) else None
        if current in RUNNING:
            return State.ok
        if current is None and not self.settled:
            if target == Target.resolution or not answered:
                return State.ok
        return current

    # Stored form (the states are stored apart, in the ticket's columns).

    def to_dict(self) -> dict[str, object]:
        return {
            "terms": self.terms.to_dict(),
            "started_at": self.started_at.isoformat(),
            "resolution_started_at": self.resolution_started_at.isoformat(),
            "paused_at": self.paused_at.isoformat() if self.paused_at else None,
            "paused_seconds": self.paused_seconds,
            "settled": self.settled,
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], first_response: str | None, resolution: str | None
    ) -> Clock:
        paused_at = data.get("paused_at")
        return cls(
            terms=Terms.from_dict(data.get("terms")),
            started_at=_moment(data.get("started_at"), "started_at"),
            resolution_started_at=_moment(
                data.get("resolution_started_at"), "resolution_started_at"
            ),
            first_response=State(first_response) if first_response else None,
            resolution=State(resolution) if resolution else None,
            paused_at=None if paused_at is None else _moment(paused_at, "paused_at"),
            paused_seconds=f.number(data.get("paused_seconds", 0.0), "paused_seconds"),
            settled=f.boolean(data.get("settled", False), "settled"),
        )


def _moment(value: object, field: str) -> datetime:
    text = f.string(value, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise f.error(field, f"{text!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise f.error(field, "needs a time zone")
    return moment
