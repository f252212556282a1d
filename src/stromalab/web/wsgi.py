"""WSGI entry point: ``gunicorn stromalab.web.wsgi`` (production) or ``stromalab manage runserver``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stromalab.web.settings")
application = get_wsgi_application()
