from django.conf import settings


def portal(request) -> dict:
    """Who publishes the portal and how to reach them, for the layout and the legal pages."""
    return {
        "portal": {
            "operator": settings.PORTAL_OPERATOR,
            "contact_email": settings.CONTACT_EMAIL,
            "privacy_email": settings.PRIVACY_EMAIL,
            "site_url": settings.SITE_URL,
        }
    }
