"""Signal receivers of the offer register."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from offers.models import Offer


@receiver(pre_delete, sender=Offer, dispatch_uid="offers.forget_deleted_offer")
def forget_deleted_offer(sender, instance: Offer, **kwargs) -> None:
    """A deleted offer (in the admin, or with its centre) leaves the search index first."""
    from offers.indexing import forget_offers

    forget_offers([instance.pk])
