"""What waits for each role: the dashboard's work queues.

A queue is a read of the owning app's ``queries.py`` (a lazy queryset, oldest first) and how one
of its rows is shown: a label, a link to the page where the work is done, a detail. The
dashboard shows the first :data:`SHOWN` rows of each queue of the user's role with the total and
a "see all" link to the queue's own page (paginated). Each queue costs the same number of
queries whatever its length (:func:`build`). Showing a queue is not a permission: the linked
pages check the role again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from stromalab.core.manufacturing import batch_record
from stromalab.web.accounts import roles
from stromalab.web.donors.models import Study
from stromalab.web.manufacturing import queries as manufacturing
from stromalab.web.materials import queries as materials
from stromalab.web.quality import queries as quality
from stromalab.web.safety import queries as safety
from stromalab.web.screening import queries as screening
from stromalab.web.screening.models import DataQuery

from .consort import donor_counts
from .freshness import as_of_last_change, current_version

#: rows of each queue shown on the dashboard (all are counted; the queue's page shows the rest)
SHOWN = 10
#: rows per page of a queue's own page
PAGE_SIZE = 50

#: the batch record's moves as the operator reads them, in record order
MOVE_LABELS = {
    batch_record.RECEIPT: _("receipt"),
    batch_record.ISOLATION: _("SVF isolation"),
    batch_record.SEED: _("seed a passage"),
    batch_record.PASSAGE_HARVEST: _("harvest the passage"),
    batch_record.FREEZING: _("formulation and freezing"),
    batch_record.STORAGE: _("storage"),
}
VERDICT_LABELS = {"eligible": _("eligible"), "ineligible": _("ineligible")}


@dataclass(frozen=True)
class Item:
    """One row of a queue as shown: a link and what to know before following it."""

    label: str
    url: str
    detail: Any = ""


@dataclass(frozen=True)
class QueueKind:
    """A kind of work: who it waits for, where its rows come from, how one is shown."""

    key: str
    title: Any
    roles: tuple[str, ...]
    rows: Callable[[Study], QuerySet[Any]]
    item: Callable[[Any], Item]
    #: the queue's length from figures the dashboard counts anyway (study, version), where a
    #: count of its own would read the same rows a second time; None: the rows are counted
    total: Callable[[Study, str], int] | None = None


@dataclass(frozen=True)
class Queue:
    """A queue as the page shows it: the first rows and how many there are in all."""

    kind: QueueKind
    total: int
    items: tuple[Item, ...]

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


def _donor_item(donor: Any) -> Item:
    try:
        started = donor.screening is not None
    except ObjectDoesNotExist:
        started = False
    return Item(donor.pseudonym, reverse("screening:crf", args=[donor.pseudonym]),
                _("screening incomplete") if started else _("not screened yet"))


def _query_item(query: DataQuery) -> Item:
    subject = query.criterion_id or query.field
    label = f"{query.screening.donor.pseudonym} · {subject}" if subject else query.screening.donor.pseudonym
    return Item(label, reverse("screening:query", args=[query.pk]), Truncator(query.text).chars(80))


def _signature_item(screening_row: Any) -> Item:
    pseudonym = screening_row.donor.pseudonym
    return Item(pseudonym, reverse("screening:decision", args=[pseudonym]),
                VERDICT_LABELS.get(screening_row.verdict, screening_row.verdict))


def _batch_step_item(batch: Any) -> Item:
    moves = manufacturing.next_moves(batch)
    shown = ", ".join(str(label) for move, label in MOVE_LABELS.items() if move in moves)
    return Item(batch.code, reverse("manufacturing:batch", args=[batch.code]), shown)


def _deviation_item(deviation: Any) -> Item:
    url = reverse("manufacturing:batch", args=[deviation.batch.code]) + f"#deviation-{deviation.pk}"
    return Item(f"{deviation.batch.code} · {deviation.check_id}", url, Truncator(deviation.description).chars(80))


def _oos_item(oos: Any) -> Item:
    return Item(f"{oos.batch.code} · {oos.result.test_name}", reverse("quality:oos", args=[oos.pk]), oos.value)


def _qc_item(batch: Any) -> Item:
    return Item(batch.code, reverse("quality:batch", args=[batch.code]),
                _("%(done)s required results entered") % {"done": batch.n_required})


def _release_item(batch: Any) -> Item:
    detail = _("%(n)s open OOS") % {"n": batch.n_open_oos} if batch.n_open_oos else ""
    return Item(batch.code, reverse("quality:release", args=[batch.code]), detail)


def _repeat_item(visit: Any) -> Item:
    return Item(f"{visit.donation.donor.pseudonym} · {visit.donation.din}",
                reverse("safety:donation", args=[visit.donation.din]),
                _("repeat sample due on %(date)s") % {"date": visit.due_on})


def _serious_event_item(event: Any) -> Item:
    return Item(event.donor.pseudonym, reverse("safety:event", args=[event.pk]),
                _("report due by %(date)s") % {"date": event.report_due})


def _capa_item(capa: Any) -> Item:
    return Item(f"{capa.batch.code} · CAPA {capa.pk}", reverse("materials:capa", args=[capa.pk]),
                _("due %(date)s, owner %(owner)s") % {"date": capa.due_on.isoformat(),
                                                       "owner": capa.owner.printed_name})


KINDS = {kind.key: kind for kind in (
    QueueKind("donors_to_screen", _("Donors to screen"), (roles.INVESTIGATOR, roles.COORDINATOR),
              screening.donors_to_screen, _donor_item,
              total=lambda study, version: donor_counts(study, version)["to_screen"]),
    QueueKind("queries_to_answer", _("Data queries to answer"),
              (roles.INVESTIGATOR, roles.COORDINATOR, roles.DATA_MANAGER, roles.MONITOR),
              lambda study: screening.data_queries(study, DataQuery.OPEN), _query_item),
    QueueKind("queries_to_close", _("Answered data queries to close"), (roles.DATA_MANAGER, roles.MONITOR),
              lambda study: screening.data_queries(study, DataQuery.ANSWERED), _query_item),
    QueueKind("screenings_to_sign", _("Eligibility decisions to sign"), (roles.INVESTIGATOR,),
              screening.screenings_to_sign, _signature_item),
    QueueKind("repeat_tests_due", _("Repeat infection tests due"), (roles.INVESTIGATOR, roles.COORDINATOR),
              lambda study: safety.repeat_tests_due(study.id), _repeat_item),
    QueueKind("serious_events_unreported", _("Serious adverse events to report (deadline)"),
              (*roles.CLINICAL_READERS, roles.QUALIFIED_PERSON),
              lambda study: safety.serious_events_unreported(study.id), _serious_event_item),
    QueueKind("batch_steps", _("Batch record steps to record and sign"), (roles.OPERATOR,),
              lambda study: manufacturing.batches_to_record(study.id), _batch_step_item),
    QueueKind("batches_awaiting_qc", _("Batches awaiting QC results"), (roles.QC_ANALYST,),
              lambda study: quality.batches_awaiting_qc(study.id), _qc_item),
    QueueKind("batches_awaiting_release", _("Batches awaiting release"), (roles.QUALIFIED_PERSON,),
              lambda study: quality.batches_awaiting_release(study.id), _release_item),
    QueueKind("oos_open", _("Out-of-specification results under investigation (closed by the qualified person)"),
              (roles.QC_ANALYST, roles.QUALIFIED_PERSON, roles.MONITOR),
              lambda study: quality.open_oos(study.id), _oos_item),
    QueueKind("deviations_open", _("Open deviations (closed by the qualified person)"),
              (roles.OPERATOR, roles.QUALIFIED_PERSON, roles.MONITOR),
              lambda study: manufacturing.open_deviations(study.id), _deviation_item),
    QueueKind("capas_overdue", _("Overdue corrective and preventive actions"),
              (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON, roles.MONITOR),
              lambda study: materials.overdue_capas(study.id), _capa_item),
)}


def kinds_for(role: str | None) -> list[QueueKind]:
    """The queues of ``role``, in the order the dashboard shows them."""
    return [kind for kind in KINDS.values() if role in kind.roles]


def build(kind: QueueKind, study: Study, *, shown: int = SHOWN, version: str | None = None) -> Queue:
    """The first ``shown`` rows of a queue and its total: one query, a second to count only when
    the queue is longer than what is shown (one more for the batch steps' prefetch), or the
    kind's ``total`` at ``version`` when it has one."""
    rows = kind.rows(study)
    first = list(rows[:shown])
    if len(first) < shown:
        total = len(first)
    elif kind.total is not None:
        total = kind.total(study, version or current_version())
    else:
        total = rows.count()
    return Queue(kind, total, tuple(kind.item(row) for row in first))


def build_cached(kind: QueueKind, study: Study, version: str) -> Queue:
    """:func:`build` once per change of the study (``version``, :func:`.freshness.current_version`)
    and per day (some queues fall due with the date: repeat tests, reporting deadlines, overdue
    CAPAs), as the study's figures are (:mod:`.freshness`)."""
    def counted() -> tuple[int, tuple[Item, ...]]:
        queue = build(kind, study, version=version)
        return queue.total, queue.items  # the kind holds functions: cached values are plain

    total, items = as_of_last_change(f"queue:{kind.key}:{timezone.localdate().isoformat()}", study.pk, counted,
                                     version=version)
    return Queue(kind, total, items)
