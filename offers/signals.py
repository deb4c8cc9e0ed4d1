"""Signal receivers of the offer register."""

from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from centres.models import Municipality, PostalCode, Province
from offers.filters import Vocabularies
from offers.models import Audience, Format, Offer, Theme


@receiver(pre_delete, sender=Offer, dispatch_uid="offers.forget_deleted_offer")
def forget_deleted_offer(sender, instance: Offer, **kwargs) -> None:
    """A deleted offer (in the admin, or with its centre) leaves the search index first."""
    from offers.indexing import forget_offers

    forget_offers([instance.pk])


def forget_vocabularies(sender, **kwargs) -> None:
    """A term or a place changed: the search form must not offer or find the old ones."""
    Vocabularies.forget()


for model in (Theme, Audience, Format, Province, Municipality, PostalCode):
    for signal in (post_save, post_delete):
        signal.connect(forget_vocabularies, sender=model, dispatch_uid=f"vocabularies-{model}")
post_migrate.connect(forget_vocabularies, dispatch_uid="vocabularies-migrate")
