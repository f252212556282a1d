"""Exactly-once submissions: a repeated form post or API call does its work once.

A page's form carries a one-off ``submission_token`` (rendered by ``{{ form_tokens() }}``, see
:mod:`.tokens`); an API client sends an ``Idempotency-Key`` header.
Either is claimed (:mod:`.claims`) before the view runs, in its own committed transaction, so
a second request with the same token finds the claim and replays the first one's outcome
instead of creating a second donor, batch or query (:mod:`.middleware`, :mod:`.api`).
"""
