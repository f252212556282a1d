"""Figures of the dashboard (shared by the page and the API).

Every user lands on the dashboard, so it is the busiest page: the figures are counted by the
database in a few aggregate queries, and the cached engine results (a JSON list per screening) are
read only where they are shown — the failing criteria of ineligible screenings are counted in SQL
(one JSON-array expansion per engine), the unknown criteria read for the first
:data:`UNKNOWN_SHOWN` incomplete screenings only. Loading every screening's results into Python
took seconds with a few thousand donors (docs/performance.md, benchmarks/load.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Q

from stromalab.web.donors.models import Donor, Study
from stromalab.web.screening.models import DataQuery, EnrollmentSlot, Screening

#: donors with unknown criteria listed on the page (all are counted)
UNKNOWN_SHOWN = 200

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
    sql = _FAILED_SQL[connection.vendor].format(screening=Screening._meta.db_table, donor=Donor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [study.pk])
        counts = cursor.fetchall()
    return dict(sorted(counts, key=lambda kv: (-kv[1], kv[0])))


def study_summary(study: Study | None) -> dict[str, Any]:
    if study is None:
        return {"study": None}
    # one pass over the donors, their screening (one-to-one) joined: every count at once
    counts = Donor.objects.filter(study=study, voided_at__isnull=True).aggregate(
        registered=Count("id"),
        withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False)),
        screened=Count("screening", filter=Q(screening__as_of__isnull=False)),
        eligible=Count("screening", filter=Q(screening__verdict="eligible")),
        ineligible=Count("screening", filter=Q(screening__verdict="ineligible")),
        incomplete=Count("screening", filter=Q(screening__verdict="incomplete")))
    screenings = Screening.objects.filter(donor__study=study, donor__voided_at__isnull=True)
    shown = screenings.filter(verdict="incomplete").order_by("id").values_list("donor__pseudonym", "results")
    unknown = [{"donor": pseudonym, "unknown": [r["id"] for r in results if r["status"] == "unknown"]}
               for pseudonym, results in shown[:UNKNOWN_SHOWN]]
    return {
        "study": study.id,
        "title": study.title,
        "target": study.enrollment_target,
        "enrolled": EnrollmentSlot.objects.filter(study=study, donor__isnull=False).count(),
        "registered": counts["registered"],
        "screened": counts["screened"],
        "eligible": counts["eligible"],
        "ineligible": counts["ineligible"],
        "ineligible_by_criterion": _failed_by_criterion(study),
        "withdrawn": counts["withdrawn"],
        "open_queries": DataQuery.objects.filter(screening__donor__study=study,
                                                 status__in=(DataQuery.OPEN, DataQuery.ANSWERED)).count(),
        "unknown_criteria": unknown,
        "unknown_count": counts["incomplete"],
    }
