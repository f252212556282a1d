"""Figures of the dashboard (shared by the page and the API)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from stromalab.web.donors.models import Donor, Study
from stromalab.web.screening.models import DataQuery, EnrollmentSlot, Screening


def study_summary(study: Study | None) -> dict[str, Any]:
    if study is None:
        return {"study": None}
    donors = Donor.objects.filter(study=study, voided_at__isnull=True)
    screenings = Screening.objects.filter(donor__study=study, donor__voided_at__isnull=True)
    by_criterion: Counter[str] = Counter()
    unknown: list[dict[str, Any]] = []
    for pseudonym, verdict, results in screenings.values_list("donor__pseudonym", "verdict", "results"):
        if verdict == "ineligible":
            for r in results:
                if r["status"] == "fail":
                    by_criterion[r["id"]] += 1
        elif verdict == "incomplete":
            ids = [r["id"] for r in results if r["status"] == "unknown"]
            unknown.append({"donor": pseudonym, "unknown": ids})
    enrolled = EnrollmentSlot.objects.filter(study=study, donor__isnull=False).count()
    return {
        "study": study.id,
        "title": study.title,
        "target": study.enrollment_target,
        "enrolled": enrolled,
        "registered": donors.count(),
        "screened": screenings.exclude(as_of__isnull=True).count(),
        "eligible": screenings.filter(verdict="eligible").count(),
        "ineligible": screenings.filter(verdict="ineligible").count(),
        "ineligible_by_criterion": dict(sorted(by_criterion.items(), key=lambda kv: (-kv[1], kv[0]))),
        "withdrawn": donors.filter(withdrawn_at__isnull=False).count(),
        "open_queries": DataQuery.objects.filter(screening__donor__study=study,
                                                 status__in=(DataQuery.OPEN, DataQuery.ANSWERED)).count(),
        "unknown_criteria": unknown[:200],
        "unknown_count": len(unknown),
    }
