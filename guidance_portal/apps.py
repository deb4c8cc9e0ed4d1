from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidancePortalConfig(AppConfig):
    name = "guidance_portal"
    verbose_name = _("Guidance portal")
