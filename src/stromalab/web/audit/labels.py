"""Who and what an audit event names, as people call them: "Claire Martin", "Donor D-0001",
"Batch G123426000001", never ``accounts.User:10``.

An event stores its actor's id and its record as ``(record_type, record_id)`` (a model label and
a primary key as text). A page of events names many records: :func:`object_labels` reads them in
bulk, one query per record type on the page (never one per event), and :func:`people_names` one
query for the actors. The trail sits below every other app (architecture.md), so the models are
looked up in Django's registry by their label, never imported.

A record that no longer resolves (a type of an older release, a row of a removed model) is
named by its type's verbose name and its id: the trail stays readable whatever it holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Naming:
    """How one record type is named: the type itself, the columns read (``values()`` paths,
    joins allowed) and the wording (``%(column)s`` placeholders, ``__`` in a path becoming ``_``)."""

    name: Promise
    columns: tuple[str, ...]
    wording: Promise
    #: the column a person types to find the record in the filter (``None``: the id only)
    natural_key: str | None = None


NAMINGS: dict[str, Naming] = {
    "accounts.User": Naming(_("account"), ("username", "first_name", "last_name"), _("Account %(username)s"), "username"),
    "accounts.ApiToken": Naming(_("API token"), ("label", "user__username"), _("API token “%(label)s” of %(user_username)s")),
    "accounts.Signature": Naming(_("signature"), ("printed_name", "subject"), _("Signature of %(printed_name)s (%(subject)s)")),
    "donors.Study": Naming(_("study"), ("id",), _("Study %(id)s"), "id"),
    "donors.InformationSheet": Naming(_("information sheet"), ("version", "study_id"), _("Information sheet v%(version)s (%(study_id)s)")),
    "donors.Donor": Naming(_("donor"), ("pseudonym",), _("Donor %(pseudonym)s"), "pseudonym"),
    "donors.DonorIdentity": Naming(_("donor identity"), ("donor__pseudonym",), _("Identity of donor %(donor_pseudonym)s")),
    "donors.Consent": Naming(_("consent"), ("donor__pseudonym", "date"), _("Consent of donor %(donor_pseudonym)s (%(date)s)")),
    "screening.Screening": Naming(_("screening"), ("donor__pseudonym",), _("Screening of donor %(donor_pseudonym)s")),
    "screening.Condition": Naming(_("condition"), ("code", "screening__donor__pseudonym"),
                                  _("Condition %(code)s of donor %(screening_donor_pseudonym)s")),
    "screening.Medication": Naming(_("medication"), ("code", "screening__donor__pseudonym"),
                                   _("Medication %(code)s of donor %(screening_donor_pseudonym)s")),
    "screening.DataQuery": Naming(_("data query"), ("id", "screening__donor__pseudonym"),
                                  _("Data query %(id)s on donor %(screening_donor_pseudonym)s")),
    "screening.EligibilityDecision": Naming(_("eligibility decision"), ("screening__donor__pseudonym",),
                                            _("Eligibility decision on donor %(screening_donor_pseudonym)s")),
    "screening.EnrollmentSlot": Naming(_("enrolment slot"), ("number",), _("Enrolment slot %(number)s")),
    "manufacturing.Donation": Naming(_("donation"), ("din",), _("Donation %(din)s"), "din"),
    "manufacturing.Batch": Naming(_("batch"), ("code",), _("Batch %(code)s"), "code"),
    "manufacturing.Step": Naming(_("batch step"), ("kind", "number", "batch__code"), _("Step %(kind)s %(number)s of batch %(batch_code)s")),
    "manufacturing.Deviation": Naming(_("deviation"), ("id", "check_id", "batch__code"),
                                      _("Deviation %(id)s (%(check_id)s) of batch %(batch_code)s")),
    "manufacturing.Box": Naming(_("storage box"), ("tank", "rack", "name"), _("Box %(tank)s / %(rack)s / %(name)s")),
    "manufacturing.Container": Naming(_("container"), ("din", "product_code", "division"),
                                      _("Container %(din)s %(product_code)s %(division)s")),
    "manufacturing.Movement": Naming(_("container movement"), ("kind", "container__din", "container__division"),
                                     _("Movement (%(kind)s) of container %(container_din)s %(container_division)s")),
    "quality.QcResult": Naming(_("QC result"), ("test_name", "batch__code"), _("QC result “%(test_name)s” of batch %(batch_code)s")),
    "quality.OosRecord": Naming(_("out-of-specification record"), ("id", "test_id", "batch__code"), _("OOS %(id)s (%(test_id)s) of batch %(batch_code)s")),
    "quality.FcsPanel": Naming(_("FCS panel"), ("panel_name", "batch__code"), _("FCS panel “%(panel_name)s” of batch %(batch_code)s")),
    "quality.FcsFile": Naming(_("FCS file"), ("original_name", "panel__batch__code"),
                              _("FCS file “%(original_name)s” of batch %(panel_batch_code)s")),
    "quality.ReleaseDecision": Naming(_("release decision"), ("batch__code",), _("Release decision on batch %(batch_code)s")),
    "warehouse.PrescreenRun": Naming(_("pre-screening run"), ("id", "source"), _("Pre-screening run %(id)s (%(source)s)")),
    "warehouse.DonorLink": Naming(_("warehouse link"), ("donor__pseudonym",), _("Warehouse link of donor %(donor_pseudonym)s")),
    "warehouse.CarriedFact": Naming(_("warehouse fact"), ("id", "source"), _("Warehouse fact %(id)s (%(source)s)")),
}


def _placeholder(column: str) -> str:
    return column.replace("__", "_")


def _model(record_type: str) -> Any | None:
    try:
        return apps.get_model(record_type)
    except (LookupError, ValueError):
        return None


def type_label(record_type: str) -> str:
    """The record type in words: its name here, else its model's verbose name, else as stored."""
    naming = NAMINGS.get(record_type)
    if naming is not None:
        return str(naming.name)
    model = _model(record_type)
    return record_type if model is None else str(model._meta.verbose_name)


def _unresolved(record_type: str, record_id: str) -> str:
    return f"{type_label(record_type)} {record_id}".strip()


def _valid_ids(model: Any, ids: Iterable[str]) -> list[Any]:
    """The ids that can be the model's primary key (an id of the wrong shape names no row)."""
    field = model._meta.pk
    valid = []
    for raw in ids:
        try:
            valid.append(field.to_python(raw))
        except ValidationError:  # an id of another shape names no row of this type
            continue
    return valid


def object_labels(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``(record_type, record_id)`` → its label; one query per record type among ``keys``."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for record_type, record_id in keys:
        by_type[record_type].add(record_id)
    labels: dict[tuple[str, str], str] = {}
    for record_type, ids in by_type.items():
        naming, model = NAMINGS.get(record_type), _model(record_type)
        found: dict[str, str] = {}
        valid = _valid_ids(model, ids) if model is not None and naming is not None else []
        if naming is not None and valid:
            rows = model._default_manager.filter(pk__in=valid).values("pk", *naming.columns)  # type: ignore[union-attr]
            wording = str(naming.wording)
            for row in rows:
                found[str(row["pk"])] = wording % {_placeholder(c): _shown(row[c]) for c in naming.columns}
        for record_id in ids:
            labels[(record_type, record_id)] = found.get(record_id) or _unresolved(record_type, record_id)
    return labels


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def person_name(first_name: str, last_name: str, username: str) -> str:
    """"Claire Martin (cmartin)": the name people know, and the account it acted under."""
    full = f"{first_name} {last_name}".strip()
    return f"{full} ({username})" if full else username


def people_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Actor id → name, in one query."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = get_user_model()._default_manager.filter(pk__in=wanted).values_list(
        "pk", "first_name", "last_name", "username")
    return {pk: person_name(first, last, username) for pk, first, last, username in rows}


def actor_name(user_id: int | None, username: str, names: Mapping[int, str]) -> str:
    """The event's actor: resolved name, else the username the event stored ("system")."""
    if user_id is not None and user_id in names:
        return names[user_id]
    return username or gettext("system")


def resolve_record_id(record_type: str, text: str) -> str | None:
    """The id of the record of ``record_type`` a person named by ``text`` (its pseudonym,
    batch code, username...), or ``None`` when no record of that type carries that name."""
    naming, model = NAMINGS.get(record_type), _model(record_type)
    if naming is None or naming.natural_key is None or model is None:
        return None
    pk = model._default_manager.filter(**{naming.natural_key: text}).values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


def field_label(record_type: str, field: str) -> str:
    """A changed field as people read it: the model field's verbose name, else the stored name
    made readable (``serology.hiv`` → ``serology hiv``)."""
    if not field:
        return ""
    model = _model(record_type)
    if model is not None:
        try:
            found = model._meta.get_field(field)
        except FieldDoesNotExist:  # a key inside a JSON field (``serology.hiv``)
            found = None
        # a reverse relation (a panel's ``files``) has no verbose name: named from its key below
        if getattr(found, "verbose_name", None):
            return str(found.verbose_name)
    return field.replace("_", " ").replace(".", " ")
