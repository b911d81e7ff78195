"""WSGI entry point for `buudien serve` and any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
application = get_wsgi_application()
