"""A study's protocol folder: the ClinicalTrials.gov record and the computable criteria.

Everything study-specific lives in ``protocols/<NCT id>/``; a second study is a new folder,
not new code. Folders are found by study id under the repository's ``protocols/``, or under
the root the caller passes or configured with :func:`set_protocols_root` (the web settings and
the CLI do, from ``STROMALAB_PROTOCOLS``: the core reads no environment); a path to a folder
works too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from stromalab.core.eligibility.build import BuildContext, build_rule
from stromalab.core.eligibility.codes import SYSTEMS, CodeList
from stromalab.core.eligibility.rules import Rule
from stromalab.core.vocabulary import (
    Vocabulary,
    build_vocabularies,
    check_procedure_rule,
    procedure_rules,
)
from stromalab.core.yamlsource import Located, SourceError, load_yaml

ELIGIBILITY_FORMAT = "stromalab-eligibility/1"
OBJECTIVE_FORMAT = "stromalab-objective/1"
KINDS = ("inclusion", "exclusion")


class ProtocolError(SourceError):
    """A protocol folder or file that cannot be used; the message names file, line and key."""


@dataclass(frozen=True)
class Criterion:
    id: str
    kind: str  # "inclusion" | "exclusion"
    text: str  # verbatim wording of the listing
    rule: Rule = field(repr=False, compare=False)

    @property
    def answerable(self) -> bool:
        """Whether the case report form asks a yes/no question for it (every exclusion)."""
        return self.kind == "exclusion"


@dataclass(frozen=True)
class Objective:
    """The study's own targets (``objective.yaml``), which the dashboard measures progress against:
    the registry states the objective in words only."""

    donors: int  # donors to enroll (agrees with the registry's enrollment count)
    batches_meeting_isct: int  # at least this many batches meeting the ISCT criteria


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    folder: Path
    criteria: tuple[Criterion, ...]
    codelists: Mapping[str, CodeList]
    study: Mapping[str, Any] = field(repr=False, compare=False)
    #: criterion ids the case report form asks a yes/no question for
    answer_ids: frozenset[str] = frozenset()
    #: the values the case report form offers for text items (core/vocabulary.py), by item
    vocabularies: Mapping[str, Vocabulary] = field(default_factory=dict, repr=False, compare=False)
    #: the targets of ``objective.yaml`` (None when the folder has none)
    objective: Objective | None = None

    @cached_property
    def plan(self) -> tuple[tuple[str, str, str, Rule, bool], ...]:
        """(id, kind, text, rule, is_inclusion) per criterion, flattened for the hot loop."""
        return tuple((c.id, c.kind, c.text, c.rule, c.kind == "inclusion") for c in self.criteria)

    @property
    def title(self) -> str:
        ident = self.study.get("protocolSection", {}).get("identificationModule", {})
        return str(ident.get("officialTitle") or ident.get("briefTitle") or self.id)

    @property
    def enrollment_target(self) -> int:
        design = self.study.get("protocolSection", {}).get("designModule", {})
        return int(design.get("enrollmentInfo", {}).get("count", 0))

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


#: the repository's protocol folders, used unless another root is configured or passed
DEFAULT_ROOT = Path(__file__).resolve().parents[3] / "protocols"
_root = DEFAULT_ROOT


def set_protocols_root(root: Path | None) -> None:
    """Find protocol folders under ``root`` from now on (``None``: the repository's).

    Called once at start-up by whoever reads the configuration (``stromalab.web.settings``).
    """
    global _root
    _root = DEFAULT_ROOT if root is None else Path(root)


def protocols_root() -> Path:
    """The folder holding one folder per protocol (see :func:`set_protocols_root`)."""
    return _root


def load_protocol(name_or_path: str | Path = "NCT05947682", root: Path | None = None) -> Protocol:
    """Load and validate a protocol folder by study id or path (cached per folder).

    A study id is looked up under ``root`` when given, else under :func:`protocols_root`.
    """
    candidate = Path(name_or_path)
    folder = candidate if candidate.is_dir() else (root or _root) / str(name_or_path)
    if not folder.is_dir():
        raise ProtocolError(folder, None, "", f"no protocol folder for {str(name_or_path)!r}")
    return _load(folder.resolve())


@lru_cache(maxsize=16)
def _load(folder: Path) -> Protocol:
    study = _load_study(folder / "study.json")
    try:
        source = load_yaml(folder / "eligibility.yaml")
    except SourceError as exc:
        raise ProtocolError(exc.path, exc.line, exc.key, exc.message) from None
    protocol = _build(folder, source, study)
    return replace(protocol, objective=_load_objective(folder / "objective.yaml", protocol))


def _load_objective(path: Path, protocol: Protocol) -> Objective | None:
    """The targets of ``objective.yaml``, checked: whole numbers above zero, and the donors the
    registry's enrollment count (two files must not disagree on the study's size)."""
    if not path.is_file():
        return None
    try:
        source = load_yaml(path)
    except SourceError as exc:
        raise ProtocolError(exc.path, exc.line, exc.key, exc.message) from None
    doc = source.value
    if not isinstance(doc, dict):
        raise _error(source, "", "the file must be a mapping")
    allowed = ("format", "protocol", "changes", "donors", "batches_meeting_isct")
    for key in doc:
        if key not in allowed:
            raise _error(source, key, f"unknown key (allowed: {', '.join(sorted(allowed))})")
    if doc.get("format") != OBJECTIVE_FORMAT:
        raise _error(source, "format", f"expected {OBJECTIVE_FORMAT!r}, got {doc.get('format')!r}")
    if doc.get("protocol") != protocol.id:
        raise _error(source, "protocol", f"{doc.get('protocol')!r} does not match the folder name {protocol.id!r}")
    targets: dict[str, int] = {}
    for key in ("donors", "batches_meeting_isct"):
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _error(source, key, f"must be a whole number of at least 1, got {value!r}")
        targets[key] = value
    if protocol.enrollment_target and targets["donors"] != protocol.enrollment_target:
        raise _error(source, "donors", f"{targets['donors']} disagrees with the enrollment count of study.json "
                                       f"({protocol.enrollment_target})")
    return Objective(**targets)


def _load_study(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProtocolError(path, None, "", f"cannot read file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ProtocolError(path, exc.lineno, "", f"invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or "protocolSection" not in data:
        raise ProtocolError(path, 1, "protocolSection", "missing: not a ClinicalTrials.gov API v2 record")
    return data


def _error(source: Located, key: str, message: str) -> ProtocolError:
    return ProtocolError(source.path, source.line(key), key, message)


def _build(folder: Path, source: Located, study: Mapping[str, Any]) -> Protocol:
    doc = source.value
    if not isinstance(doc, dict):
        raise _error(source, "", "the file must be a mapping")
    allowed = {"format", "protocol", "version", "effective", "changes", "codelists", "vocabularies",
               "criteria"}
    for key in doc:
        if key not in allowed:
            raise _error(source, key, f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for key in ("format", "protocol", "version", "codelists", "criteria"):
        if key not in doc:
            raise _error(source, "", f"missing key '{key}'")
    if doc["format"] != ELIGIBILITY_FORMAT:
        raise _error(source, "format", f"expected {ELIGIBILITY_FORMAT!r}, got {doc['format']!r}")
    if doc["protocol"] != folder.name:
        raise _error(source, "protocol", f"{doc['protocol']!r} does not match the folder name {folder.name!r}")
    if not isinstance(doc["version"], str):
        raise _error(source, "version", "must be quoted text, e.g. \"1.0\"")
    codelists = _codelists(source, doc["codelists"])
    raw_criteria = doc["criteria"]
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise _error(source, "criteria", "must be a non-empty list")
    ids: list[str] = []
    for i, item in enumerate(raw_criteria):
        if not isinstance(item, dict):
            raise _error(source, f"criteria[{i}]", "must be a mapping")
        cid = item.get("id")
        if not isinstance(cid, str) or not cid:
            raise _error(source, f"criteria[{i}].id", "missing or not text")
        if cid in ids:
            raise _error(source, f"criteria[{i}].id", f"duplicate criterion id {cid!r}")
        ids.append(cid)
    answer_ids = frozenset(
        item["id"] for item in raw_criteria if item.get("kind") == "exclusion"
    )
    ctx = BuildContext(source, codelists, answer_ids)
    criteria = tuple(
        _criterion(ctx, f"criteria[{i}]", item) for i, item in enumerate(raw_criteria)
    )
    vocabularies = _vocabularies(source, doc.get("vocabularies", {}), criteria)
    return Protocol(folder.name, doc["version"], folder, criteria, codelists, study, answer_ids,
                    vocabularies=vocabularies)


def _vocabularies(source: Located, node: Any,
                  criteria: tuple[Criterion, ...]) -> dict[str, Vocabulary]:
    """The protocol's vocabularies, checked against every ``procedure`` rule that reads them."""
    try:
        vocabularies = build_vocabularies(source, node)
        for criterion in criteria:
            for rule in procedure_rules(criterion.rule):
                check_procedure_rule(source, rule, vocabularies)
    except SourceError as exc:
        raise ProtocolError(exc.path, exc.line, exc.key, exc.message) from None
    return vocabularies


def _codelists(source: Located, node: Any) -> dict[str, CodeList]:
    if not isinstance(node, dict):
        raise _error(source, "codelists", "must be a mapping of name to code list")
    result: dict[str, CodeList] = {}
    for name, body in node.items():
        key = f"codelists.{name}"
        if not isinstance(body, dict):
            raise _error(source, key, "must be a mapping with system and codes")
        for field_name in body:
            if field_name not in ("system", "title", "codes"):
                raise _error(source, f"{key}.{field_name}", "unknown key (allowed: codes, system, title)")
        system = body.get("system")
        if system not in SYSTEMS:
            raise _error(source, f"{key}.system", f"must be one of {', '.join(SYSTEMS)}, got {system!r}")
        entries = body.get("codes")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
            raise _error(source, f"{key}.codes", "must be a non-empty list of codes")
        for i, entry in enumerate(entries):
            try:
                CodeList.build(name, system, (entry,))
            except ValueError as exc:
                raise _error(source, f"{key}.codes[{i}]", str(exc)) from None
        result[name] = CodeList.build(name, system, tuple(entries), str(body.get("title", "")))
    return result


def _criterion(ctx: BuildContext, key: str, item: dict[str, Any]) -> Criterion:
    for field_name in item:
        if field_name not in ("id", "kind", "text", "rule"):
            raise _error(ctx.source, f"{key}.{field_name}", "unknown key (allowed: id, kind, rule, text)")
    kind = item.get("kind")
    if kind not in KINDS:
        raise _error(ctx.source, f"{key}.kind", f"must be inclusion or exclusion, got {kind!r}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _error(ctx.source, f"{key}.text", "the criterion's verbatim wording is required")
    if "rule" not in item:
        raise _error(ctx.source, key, "missing key 'rule'")
    try:
        rule = build_rule(item["rule"], f"{key}.rule", ctx)
    except SourceError as exc:
        raise ProtocolError(exc.path, exc.line, exc.key, exc.message) from None
    return Criterion(item["id"], kind, text, rule)
