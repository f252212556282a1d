"""Pages: a form post runs once per ``submission_token``; and every claim's outcome recorded.

The claim is taken in ``process_view``, after Django's CSRF check (a forged post claims
nothing) and outside any transaction of the view's action. A repeat of a form already done
does not run the view: it is sent where the first one went, with "This form was already
submitted". After the view, a redirect without an error message is a success (``done``);
anything else, a form shown again with its errors, a refusal reported on the page it redirects
to, a 4xx or a crash, releases the token so the corrected form can be sent again.

API claims are taken by :func:`stromalab.web.submissions.api.idempotent` once the client is
authenticated; this middleware records their outcome too, as it sees the final response.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.translation import gettext as _

from . import claims
from .models import Submission

#: the hidden input every ``{{ form_tokens() }}`` renders beside Django's CSRF input
FIELD = "submission_token"
#: posts that create nothing and may be repeated from a page the browser kept (back button):
#: switching the language, logging out
REPEATABLE_VIEWS = frozenset({"set_language", "accounts:logout"})
#: the request attribute holding this request's :class:`~.claims.Claim`
CLAIM_ATTRIBUTE = "stromalab_submission_claim"


def _refused_on_the_page(request: HttpRequest) -> bool:
    """True when the view queued an error message (web/feedback.py reports a refusal so, even
    on a view that then redirects)."""
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", ())
    return any(message.level >= messages.ERROR for message in queued)


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class SubmissionMiddleware:
    """Placed after the CSRF, authentication and messages middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        held: claims.Claim | None = getattr(request, CLAIM_ATTRIBUTE, None)
        if held is not None:
            self._finish(request, held, response)
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponseBase | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and "api" in match.namespaces:
            return None  # the API's key is claimed once ninja has authenticated the client
        if match is not None and match.view_name in REPEATABLE_VIEWS:
            return None
        token = request.POST.get(FIELD, "")
        try:
            key = str(uuid.UUID(token))
        except ValueError:
            return None  # a form rendered without form_tokens(), or a test client's post
        try:
            outcome = claims.claim(user=request.user, channel=Submission.FORM, key=key, method="POST",
                                   path=request.path)
        except claims.KeyReused:
            return _plain(_("This form was sent to another page; reload the page and submit it again."), 422)
        except claims.StillRunning:
            return _plain(_("This form is still being processed; reload the page in a moment."), 409)
        if isinstance(outcome, Submission):
            messages.info(request, _("This form was already submitted."))
            return HttpResponseRedirect(outcome.location)
        setattr(request, CLAIM_ATTRIBUTE, outcome)
        return None

    @staticmethod
    def _finish(request: HttpRequest, held: claims.Claim, response: HttpResponseBase) -> None:
        status = response.status_code
        if held.channel == Submission.FORM:
            location = response.get("Location", "")
            claims.finish(held, succeeded=300 <= status < 400 and bool(location) and not _refused_on_the_page(request),
                          status_code=status, location=location)
            return
        stored = isinstance(response, HttpResponse) and 200 <= status < 300
        claims.finish(held, succeeded=stored, status_code=status, location=response.get("Location", ""),
                      content_type=response.get("Content-Type", ""),
                      body=response.content.decode("utf-8", "replace") if isinstance(response, HttpResponse) else "")
