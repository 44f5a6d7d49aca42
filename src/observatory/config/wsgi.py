"""WSGI entry point (gunicorn observatory.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.config.settings")
application = get_wsgi_application()
