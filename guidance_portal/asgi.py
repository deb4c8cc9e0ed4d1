"""ASGI entry point (the portal is served by gunicorn over WSGI; kept for tooling)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidance_portal.settings")

application = get_asgi_application()
