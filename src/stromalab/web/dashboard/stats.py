"""Figures of the dashboard (shared by the page and the API).

Every user lands on the dashboard, so it is the busiest page: the figures are counted by the
database in a few aggregate queries, and the cached engine results (a JSON list per screening) are
read only where they are shown — the failing criteria of ineligible screenings are counted in SQL
(one JSON-array expansion per engine), the unknown criteria read for the first
:data:`UNKNOWN_SHOWN` incomplete screenings only. Loading every screening's results into Python
took seconds with a few thousand donors (docs/performance.md, benchmarks/load.py). The donor
counts and the CONSORT screening log come from one aggregate (:mod:`.consort`), the batches from
three (:mod:`.objective`); nothing reads the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from stromalab.core.protocol import ProtocolError, load_protocol
from stromalab.web.donors.models import Donor, Study
from stromalab.web.screening.models import DataQuery, EnrollmentSlot, Screening

from .consort import donor_counts, screening_log
from .freshness import as_of_last_change, current_version
from .objective import batch_progress, study_objective

#: donors with unknown criteria listed on the page (all are counted; the "donors to screen"
#: work queue lists them all)
UNKNOWN_SHOWN = 20

#: failing criteria of the study's ineligible screenings (non-voided donors), per criterion id
_FAILED_SQL = {
    "postgresql": """
        SELECT r.value ->> 'id', COUNT(*) FROM {screening} s JOIN {donor} d ON d.id = s.donor_id
        CROSS JOIN LATERAL jsonb_array_elements(s.results) AS r(value)
        WHERE d.study_id = %s AND d.voided_at IS NULL AND s.verdict = 'ineligible'
          AND r.value ->> 'status' = 'fail'
        GROUP BY 1""",
    "sqlite": """
        SELECT json_extract(r.value, '$.id'), COUNT(*) FROM {screening} s JOIN {donor} d ON d.id = s.donor_id,
        json_each(s.results) AS r
        WHERE d.study_id = %s AND d.voided_at IS NULL AND s.verdict = 'ineligible'
          AND json_extract(r.value, '$.status') = 'fail'
        GROUP BY 1""",
}


def _failed_by_criterion(study: Study) -> dict[str, int]:
    """Failing criteria in the protocol's order (eligibility.yaml's); ids the protocol does not
    know (results cached under an earlier version) after them, sorted."""
    sql = _FAILED_SQL[connection.vendor].format(screening=Screening._meta.db_table, donor=Donor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [study.pk])
        counts = dict(cursor.fetchall())
    try:
        order = [c.id for c in load_protocol(study.id).criteria]
    except ProtocolError:
        order = []
    known = [cid for cid in order if cid in counts]
    return {cid: counts[cid] for cid in known + sorted(set(counts) - set(known))}


def objective_summary(study: Study) -> dict[str, Any]:
    """Progress against the study's objective: donors enrolled and batches, each of its target
    (what every member of the study staff sees; three to four queries)."""
    objective = study_objective(study.id)
    return {
        "study": study.id,
        "title": study.title,
        "target": objective.donors if objective else study.enrollment_target,
        "enrolled": EnrollmentSlot.objects.filter(study=study, donor__isnull=False).count(),
        "batches": batch_progress(study.id, objective),
    }


def study_summary(study: Study | None, version: str | None = None) -> dict[str, Any]:
    """The study dashboard's figures for clinical readers (also the API's ``/dashboard/summary``):
    the objective, the screening log and what is left to decide in screening; counted again only
    after a change of the study (:mod:`.freshness`; ``version``: the one the page already read)."""
    if study is None:
        return {"study": None}
    version = version or current_version()
    return as_of_last_change("study_summary", study.pk, lambda: _count_study(study, version), version=version)


def _count_study(study: Study, version: str) -> dict[str, Any]:
    progress = objective_summary(study)
    counts = donor_counts(study, version)
    screenings = Screening.objects.filter(donor__study=study, donor__voided_at__isnull=True)
    shown = screenings.filter(verdict="incomplete").order_by("id").values_list("donor__pseudonym", "results")
    unknown = [{"donor": pseudonym, "unknown": [r["id"] for r in results if r["status"] == "unknown"]}
               for pseudonym, results in shown[:UNKNOWN_SHOWN]]
    return {
        **progress,
        "registered": counts["registered"],
        "screened": counts["screened"],
        "eligible": counts["eligible_any"],
        "ineligible": counts["ineligible_any"],
        "ineligible_by_criterion": _failed_by_criterion(study),
        "withdrawn": counts["withdrawn"],
        "open_queries": DataQuery.objects.filter(screening__donor__study=study,
                                                 status__in=(DataQuery.OPEN, DataQuery.ANSWERED)).count(),
        "unknown_criteria": unknown,
        "unknown_count": counts["incomplete_any"],
        "screening_log": screening_log(counts, slots_left=progress["target"] - progress["enrolled"]),
    }
