from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from guidance_portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path(
        _("accessibility/"),
        views.ContentPageView.as_view(page="accessibility"),
        name="accessibility",
    ),
    path(_("privacy/"), views.ContentPageView.as_view(page="privacy"), name="privacy"),
    path(_("legal-notice/"), views.ContentPageView.as_view(page="legal"), name="legal"),
    path(_("account/"), include("accounts.urls")),
    path("", include("centres.urls")),
    path("", include("offers.urls")),
    path("", include("charter.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
