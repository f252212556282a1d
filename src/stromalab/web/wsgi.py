"""WSGI entry point: ``stromalab serve`` (gunicorn, production) or ``stromalab manage runserver``.

The URLconf, and with it every app's views, API and their libraries, is imported here rather than
at the first request: gunicorn loads this module once before forking its workers (``--preload``),
so no visitor waits seconds for a cold worker and the workers share those pages of memory.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stromalab.web.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018  (imports the URLconf now; see the docstring)
