"""``{% csrf_token %}`` that also renders a one-off ``submission_token`` hidden input.

Loaded as a template builtin (settings.TEMPLATES ``builtins``), after Django's own, so every
form of every app carries a token without editing its template; the middleware
(:mod:`stromalab.web.submissions.middleware`) lets each token through once. Only a form that
gets Django's CSRF input (a POST form rendered with a request) gets a token. A plain input: no
script, nothing for the Content-Security-Policy to allow.
"""

from __future__ import annotations

import uuid

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString

from stromalab.web.submissions.middleware import FIELD

register = template.Library()


class CsrfAndSubmissionTokenNode(template.Node):
    def render(self, context: Context) -> SafeString:
        csrf_input = CsrfTokenNode().render(context)
        if not csrf_input:
            return SafeString("")
        return format_html('{}<input type="hidden" name="{}" value="{}">', csrf_input, FIELD, uuid.uuid4())


@register.tag("csrf_token")
def csrf_token(parser: Parser, token: Token) -> CsrfAndSubmissionTokenNode:
    """Django's CSRF input plus this form's submission token."""
    return CsrfAndSubmissionTokenNode()
