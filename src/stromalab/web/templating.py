"""The pages' templates: Jinja2, rendering what Django's template language rendered.

Django's template engine interprets a tree of nodes for every page; Jinja2, which Django supports
as an engine, compiles a template to Python, and renders the busiest pages' templates in about
three quarters of the time (docs/performance.md: the work per value, lookup, localisation and
escaping, is the same either way). The templates (each app's ``jinja2/`` folder) were written in
Django's language, and this environment keeps its meaning so that a page reads and renders as
before:

- a value is shown as Django shows it (:func:`shown`): an aware time in the site's time zone,
  a number or a date the active language's way (``62,5`` in French), escaped; a safe string (a
  rendered form, ``format_html``) is kept as it is;
- ``a.b`` is the item ``b`` of a dict (or of anything with items) before its attribute, and
  calls what it finds when that takes no argument (``page.has_next``,
  ``user.get_role_display``), as Django does, and never a method marked ``alters_data``; a
  missing name or attribute is empty, and so is anything looked up on it;
- ``_()``, ``pgettext()``, ``ngettext()`` and ``{% trans %}`` blocks read Django's catalogues in
  the active language; the variables of a message are shown (localised, escaped) like values,
  and a message without variables is left as written (``_("Limit (%)")``);
- Django's filters of the same names (``date`` in the site's time zone, ``default``, ``join``,
  ``floatformat``, ``linebreaksbr``...), and every filter of the project's apps (their
  ``templatetags`` libraries);
- ``url()``, ``static()``, ``form_tokens()`` (the CSRF input and the form's one-off submission
  token), ``table_export()``, and the language, languages and time zone of the request.

Autoescaping is on (Django's Jinja2 backend turns it on).
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from django.conf import settings
from django.template import defaultfilters
from django.template.backends.django import get_installed_libraries
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import (
    get_language,
    gettext,
    ngettext,
    pgettext,
)
from jinja2 import ChainableUndefined, Environment
from jinja2.runtime import Undefined
from markupsafe import Markup

from stromalab.web.exports.links import table_export
from stromalab.web.submissions.tokens import form_tokens

#: Django's conversion of an aware time to the site's time zone for a template (not in the stubs)
template_localtime = timezone.template_localtime  # type: ignore[attr-defined]


class DjangoLookups(Environment):
    """``a.b`` and ``a[b]`` as Django's template language resolves them: ``a.b`` is first the
    item ``b`` of what has items (a dict's ``values`` key, not its method), then the attribute;
    a callable found is called when it takes no argument (:func:`_called`)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        has_items = _HAS_ITEMS.get(kind)
        if has_items is None:
            has_items = _HAS_ITEMS.setdefault(kind, hasattr(kind, "__getitem__"))
        if has_items:
            try:
                return _called(obj[attribute])
            except (TypeError, AttributeError, KeyError, ValueError, IndexError):
                pass
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)  # Jinja2's own: an item, else undefined
        return _called(value) if callable(value) else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _called(super().getitem(obj, argument))


#: whether a type has items (``__getitem__``), by type: asked for every ``a.b`` of a page
_HAS_ITEMS: dict[type, bool] = {}


def _called(value: Any) -> Any:
    """Django's rule (``Variable._resolve_lookup``): call a callable that is not a class, unless
    it says ``do_not_call_in_templates``; one that alters data is never called (empty); one that
    needs arguments is returned for the template to call with them."""
    if not callable(value) or isinstance(value, (type, Undefined)):
        return value
    if getattr(value, "do_not_call_in_templates", False):
        return value
    if getattr(value, "alters_data", False):
        return ""
    try:
        return value()
    except TypeError:
        try:
            inspect.signature(value).bind()
        except TypeError:  # it needs arguments: the template calls it with them
            return value
        raise  # a TypeError of its own


#: text printed as it is (then escaped unless safe): nothing in it to localise
_AS_WRITTEN = frozenset({str, Markup, SafeString})


def shown(value: Any) -> Any:
    """A value as Django's template language prints it (``render_value_in_context``): an aware
    time in the site's time zone, a number or a date localised, the rest as text; then escaped
    by Jinja2 (markupsafe: ``&#39;`` where Django wrote ``&#x27;``, the same HTML), safe strings
    kept. Text and whole numbers, most of what a page prints, go straight to the escaping: there
    is nothing to localise in them unless thousands are grouped (the audit trail's 100 rows
    print 900 values)."""
    kind = type(value)
    if kind in _AS_WRITTEN or (kind is int and not settings.USE_THOUSAND_SEPARATOR):
        return value
    if isinstance(value, Undefined):
        return ""
    value = localize(template_localtime(value))
    return value if isinstance(value, str) else str(value)


def _formatted(message: str, variables: dict[str, Any]) -> str:
    """A translated message with its variables shown like values; as written without any."""
    text = Markup(message)  # a message of the catalogues, trusted; only its variables are escaped
    if not variables:
        return text
    return text % {name: shown(value) for name, value in variables.items()}


def _gettext(message: str, **variables: Any) -> str:
    return _formatted(gettext(message), variables)


def _pgettext(message_context: str, message: str, **variables: Any) -> str:
    return _formatted(pgettext(message_context, message), variables)


def _ngettext(singular: str, plural: str, number: int, **variables: Any) -> str:
    return _formatted(ngettext(singular, plural, number), {"num": number, **variables})


def _url(view_name: str, *args: Any) -> str:
    return reverse(view_name, args=args)


def _date(value: Any, format_string: str | None = None) -> str:
    """Django's ``|date``, which its engine gives the value in the site's time zone."""
    if isinstance(value, Undefined):
        return ""
    return str(defaultfilters.date(template_localtime(value), format_string))


def _join(value: Any, separator: str) -> str:
    return str(defaultfilters.join(value, separator, autoescape=True))


def _linebreaksbr(value: Any) -> str:
    return str(defaultfilters.linebreaksbr(value, autoescape=True))


def _linebreaks(value: Any) -> str:
    return str(defaultfilters.linebreaks_filter(value, autoescape=True))


def _available_languages() -> list[tuple[str, str]]:
    """``{% get_available_languages %}``: each language's name in the active language."""
    return [(code, gettext(name)) for code, name in settings.LANGUAGES]


def _project_filters() -> dict[str, Any]:
    """Every filter of the project's apps (their ``templatetags`` libraries)."""
    filters: dict[str, Any] = {}
    for path in get_installed_libraries().values():
        if path.startswith("stromalab."):
            filters.update(import_module(path).register.filters)
    return filters


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of settings.TEMPLATES (see the module's docstring)."""
    env = DjangoLookups(extensions=["jinja2.ext.i18n"], finalize=shown, keep_trailing_newline=True,
                        **{**options, "undefined": ChainableUndefined})
    env.globals.update(
        gettext=_gettext, _=_gettext, pgettext=_pgettext, ngettext=_ngettext,
        url=_url, static=static, form_tokens=form_tokens, table_export=table_export,
        get_language=get_language, available_languages=_available_languages,
        time_zone_name=timezone.get_current_timezone_name,
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} blocks pass their variables
    env.filters.update(
        date=_date, default=defaultfilters.default, default_if_none=defaultfilters.default_if_none,
        join=_join, floatformat=defaultfilters.floatformat, truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode, linebreaksbr=_linebreaksbr, linebreaks=_linebreaks,
        stringformat=defaultfilters.stringformat, slugify=defaultfilters.slugify, add=defaultfilters.add,
        **_project_filters(),
    )
    return env
