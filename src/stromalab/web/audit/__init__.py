"""The audit trail: append-only, hash-chained events (compliance.md, "Audit trail").

Other apps write events only through :func:`stromalab.web.audit.actions.record_event` (one
field change) or :func:`stromalab.web.audit.actions.record_changes` (a dict of changes), always
inside the ``@transaction.atomic`` action that makes the change. The database refuses UPDATE
and DELETE on the table (triggers created by migration 0002), and
:func:`stromalab.web.audit.chain.verify_chain` (``stromalab audit verify``) re-computes every hash.
"""
