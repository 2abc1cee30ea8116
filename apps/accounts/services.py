import shutil

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Profile


def update_profile(*, actor, full_name: str, email: str, srs_algorithm: str) -> Profile:
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=actor)
        profile.full_name = full_name
        profile.srs_algorithm = srs_algorithm
        profile.save()
        if actor.email != email:
            actor.email = email
            actor.save(update_fields=["email"])
            # keep allauth's address book in step with the user row
            from allauth.account.models import EmailAddress

            EmailAddress.objects.filter(user=actor).delete()
            EmailAddress.objects.create(user=actor, email=email, primary=True, verified=False)
    return profile


def delete_account(*, actor) -> None:
    """Delete the user and everything they own; their upload folder goes once the rows are gone."""
    user_dir = settings.MEDIA_ROOT / "uploads" / str(actor.pk)
    with transaction.atomic():
        actor.delete()
        transaction.on_commit(lambda: shutil.rmtree(user_dir, ignore_errors=True))
