"""The batch record's state machine: which step may be recorded next, and why not.

The record runs in one order, each step with its own state (planned → in progress → done,
or rejected)::

    harvest → receipt → SVF isolation → passage P0 … Pn (seeded: in progress; harvested: done)
    → formulation and freezing (creates the containers) → storage

The rules live here once, as pure functions over plain values, so that the actions that
refuse a step out of order and the batch page that offers the next step cannot disagree.
A batch's steps are given as ``(kind, number, state)`` triples (``number`` is the passage
number, 0 for the other kinds); the batch's status as its stored text. A refusal is an
English sentence without the batch code (the caller prefixes ``batch <code>: ``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

HARVEST, RECEIPT, ISOLATION, PASSAGE, FREEZING, STORAGE = (
    "harvest", "receipt", "isolation", "passage", "freezing", "storage")
PLANNED, IN_PROGRESS, DONE, REJECTED = "planned", "in_progress", "done", "rejected"
#: batch statuses after which no further processing step may be recorded
CLOSED_STATUSES = ("rejected", "voided")
VOIDED = "voided"

#: what a batch page offers and an action records, in record order
SEED, PASSAGE_HARVEST = "seed", "passage_harvest"
MOVES = (RECEIPT, ISOLATION, SEED, PASSAGE_HARVEST, FREEZING, STORAGE)

LABELS = {HARVEST: "harvest", RECEIPT: "receipt", ISOLATION: "SVF isolation",
          FREEZING: "formulation and freezing", STORAGE: "storage"}
STATE_NAMES = {PLANNED: "planned", IN_PROGRESS: "in progress", DONE: "done", REJECTED: "rejected"}
OPEN_STATES = (PLANNED, IN_PROGRESS)

#: a single-step move: (the move's wording, the step it records, the step that must be done first)
_SINGLE = {
    RECEIPT: ("receipt", RECEIPT, HARVEST),
    ISOLATION: ("SVF isolation", ISOLATION, RECEIPT),
    STORAGE: ("storage", STORAGE, FREEZING),
}


class StepState(NamedTuple):
    """One step of a batch as the state machine sees it."""

    kind: str
    number: int
    state: str


def label(kind: str, number: int = 0) -> str:
    """``P2`` for a passage, the step's name otherwise."""
    return f"P{number}" if kind == PASSAGE else LABELS[kind]


def _states(steps: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int], str]:
    return {(kind, number): state for kind, number, state in steps}


def _passages(states: dict[tuple[str, int], str]) -> list[tuple[int, str]]:
    return sorted((number, state) for (kind, number), state in states.items() if kind == PASSAGE)


def next_passage_number(steps: Iterable[tuple[str, int, str]]) -> int:
    """The number the next seeded passage gets: P0 first, then one more than the last."""
    return len(_passages(_states(steps)))


def current_passage(steps: Iterable[tuple[str, int, str]]) -> int | None:
    """The number of the passage in progress (seeded, not yet harvested), if any."""
    return next((n for n, state in _passages(_states(steps)) if state == IN_PROGRESS), None)


def batch_refusal(status: str, move: str = RECEIPT) -> str | None:
    """Why a batch in ``status`` takes no ``move`` at all: a rejected or voided batch takes no
    further processing step; its containers may still be stored unless it was voided."""
    if move == STORAGE:
        return "the batch is voided" if status == VOIDED else None
    if status in CLOSED_STATUSES:
        return f"the batch is {status}; no further step can be recorded"
    return None


def _must_be_done(states: dict[tuple[str, int], str], doing: str, kind: str) -> str | None:
    state = states.get((kind, 0))
    if state == DONE:
        return None
    shown = "not recorded" if state is None else STATE_NAMES[state]
    return f"{doing} refused: {label(kind)} must be done first (it is {shown})"


def _must_be_open(states: dict[tuple[str, int], str], doing: str, kind: str) -> str | None:
    state = states.get((kind, 0))
    if state in (DONE, REJECTED):
        return f"{doing} refused: {label(kind)} is already {STATE_NAMES[state]}"
    return None


def _seed(states: dict[tuple[str, int], str]) -> str | None:
    passages = _passages(states)
    doing = f"seeding P{len(passages)}"
    refusal = _must_be_done(states, doing, ISOLATION)
    if refusal:
        return refusal
    current = next((n for n, state in passages if state == IN_PROGRESS), None)
    if current is not None:
        return f"{doing} refused: P{current} is still in progress (record its harvest first)"
    if any(state == REJECTED for _n, state in passages):
        return f"{doing} refused: a passage was rejected"
    freezing = states.get((FREEZING, 0))
    if freezing is not None and freezing != PLANNED:
        return f"{doing} refused: {LABELS[FREEZING]} is {STATE_NAMES[freezing]}"
    return None


def _passage_harvest(states: dict[tuple[str, int], str]) -> str | None:
    if any(state == IN_PROGRESS for _n, state in _passages(states)):
        return None
    return "passage harvest refused: no passage is in progress (seed one first)"


def _freezing(states: dict[tuple[str, int], str]) -> str | None:
    doing = LABELS[FREEZING]
    passages = _passages(states)
    if not any(state == DONE for _n, state in passages):
        return f"{doing} refused: no passage harvest count recorded yet"
    current = next((n for n, state in passages if state == IN_PROGRESS), None)
    if current is not None:
        return f"{doing} refused: P{current} is still in progress"
    return _must_be_open(states, doing, FREEZING)


def refusal(steps: Iterable[tuple[str, int, str]], move: str, *, batch_status: str = "in_process"
            ) -> str | None:
    """Why ``move`` (one of :data:`MOVES`) may not be recorded on a batch in ``batch_status``
    with these ``steps``, or None when it may."""
    if move not in MOVES:
        raise ValueError(f"unknown batch record move {move!r}")
    closed = batch_refusal(batch_status, move)
    if closed:
        return closed
    states = _states(steps)
    if move in _SINGLE:
        doing, kind, previous = _SINGLE[move]
        return _must_be_done(states, doing, previous) or _must_be_open(states, doing, kind)
    if move == SEED:
        return _seed(states)
    if move == PASSAGE_HARVEST:
        return _passage_harvest(states)
    return _freezing(states)


def allowed_moves(steps: Iterable[tuple[str, int, str]], *, batch_status: str = "in_process"
                  ) -> frozenset[str]:
    """Every move the batch may take now (what its page offers)."""
    steps = tuple(steps)
    return frozenset(m for m in MOVES if refusal(steps, m, batch_status=batch_status) is None)


def rejection_refusal(kind: str, number: int, state: str) -> str | None:
    """Why a step may not be rejected: only a planned or in-progress step can be; a done one
    is corrected by a deviation, never undone."""
    if state in OPEN_STATES:
        return None
    return (f"rejecting {label(kind, number)} refused: it is already {STATE_NAMES[state]} "
            "(record a deviation instead)")
