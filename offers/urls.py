from django.urls import path
from django.utils.translation import gettext_lazy as _

from offers.views import bookings, manage, moderation, public

app_name = "offers"

urlpatterns = [
    path(
        _("workspace/offers/<int:pk>/sessions/<int:session_id>/move/"),
        manage.session_move,
        name="session_move",
    ),
    path(_("search/"), public.search, name="search"),
    path(_("agenda/"), public.agenda, name="agenda"),
    path(_("agenda/calendar.ics"), public.agenda_calendar, name="agenda_calendar"),
    path(_("offers/feed/"), public.NewOffersFeed(), name="feed"),
    path(_("offers/<int:pk>/"), public.offer_detail, name="detail"),
    path(
        _("offers/<int:pk>/sessions/<int:session_id>/calendar.ics"),
        public.session_calendar,
        name="session_calendar",
    ),
    path(_("workspace/offers/"), manage.offer_list, name="manage_list"),
    path(_("workspace/offers/new/"), manage.offer_create, name="manage_create"),
    path(_("workspace/offers/<int:pk>/"), manage.offer_detail, name="manage_detail"),
    path(_("workspace/offers/<int:pk>/edit/"), manage.offer_edit, name="manage_edit"),
    path(
        _("workspace/offers/<int:pk>/duplicate/"), manage.offer_duplicate, name="manage_duplicate"
    ),
    path("workspace/offers/<int:pk>/do/<slug:action>/", manage.offer_action, name="manage_action"),
    path(_("workspace/offers/<int:pk>/sessions/"), manage.session_add, name="session_add"),
    path(
        _("workspace/offers/<int:pk>/sessions/<int:session_id>/cancel/"),
        manage.session_cancel,
        name="session_cancel",
    ),
    path(_("offers/<int:pk>/sessions/<int:session_id>/book/"), bookings.book, name="book"),
    path(_("booking/<str:code>/"), bookings.booking_detail, name="booking"),
    path(
        _("workspace/offers/<int:pk>/sessions/<int:session_id>/bookings/"),
        bookings.session_bookings,
        name="session_bookings",
    ),
    path(
        _("workspace/offers/<int:pk>/sessions/<int:session_id>/bookings/<int:booking_id>/cancel/"),
        bookings.cancel_booking,
        name="cancel_booking",
    ),
    path(
        _("workspace/offers/<int:pk>/sessions/<int:session_id>/bookings.csv"),
        bookings.export_bookings,
        name="export_bookings",
    ),
    path(_("moderation/"), moderation.queue, name="moderation"),
    path(_("moderation/offers/<int:pk>/"), moderation.review_offer, name="review_offer"),
    path(_("moderation/edits/<int:pk>/"), moderation.review_edit, name="review_edit"),
]
