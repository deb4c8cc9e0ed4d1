from django.urls import path
from django.utils.translation import gettext_lazy as _

from charter import views

app_name = "charter"

urlpatterns = [
    path(_("charter/"), views.charter_page, name="charter"),
    path(_("charter/versions/<int:pk>/"), views.version_page, name="version"),
    path(_("workspace/centres/<slug:slug>/charter/"), views.manage, name="manage"),
]
