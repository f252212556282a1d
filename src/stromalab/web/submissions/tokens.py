"""``{{ form_tokens() }}`` in a POST form: Django's CSRF input and the form's one-off
``submission_token``, which the middleware (:mod:`stromalab.web.submissions.middleware`) lets
through once. A plain input: no script, nothing for the Content-Security-Policy to allow."""

from __future__ import annotations

import uuid

from django.template.backends.utils import csrf_input
from django.utils.html import format_html
from django.utils.safestring import SafeString
from jinja2 import pass_context
from jinja2.runtime import Context

from .middleware import FIELD


@pass_context
def form_tokens(context: Context) -> SafeString:
    """The CSRF input and a new submission token; nothing on a page rendered without a request."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    return format_html('{}<input type="hidden" name="{}" value="{}">', csrf_input(request), FIELD, uuid.uuid4())
