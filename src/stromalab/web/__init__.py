"""The study web application (Django): the study-data layer.

Map (see docs/architecture.md):

- ``settings.py``  configuration from ``STROMALAB_*`` environment variables.
- ``urls.py``      one URLconf; each app contributes ``<app>/urls.py``.
- ``api.py``       the django-ninja API; each app contributes a router in ``<app>/api.py``.
- ``accounts/``    users, roles (:mod:`stromalab.web.accounts.roles`), permission helpers
                   (:mod:`stromalab.web.accounts.permissions`), electronic signatures.
- ``audit/``       the append-only, hash-chained audit trail (:func:`stromalab.web.audit.actions.record_event`).
- ``donors/``      registry, pseudonyms, identity store, consent.
- ``screening/``   case report form, data queries, eligibility decision, enrollment.
- ``dashboard/``   enrollment and screening log.

``web`` may import ``stromalab.core``; the core never imports Django.
"""
