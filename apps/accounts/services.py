import shutil

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Profile


def update_profile(
    *, actor, full_name: str, email: str, srs_algorithm: str, desired_retention=None, new_cards_per_day=None
) -> Profile:
    """Save the profile. A change of spaced-repetition algorithm rebuilds every card's schedule from its review
    log (apps.flashcards.reviewing.switch_algorithm), so no history is lost."""
    from apps.flashcards.reviewing import switch_algorithm

    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=actor)
        switched = profile.srs_algorithm != srs_algorithm
        profile.full_name = full_name
        profile.srs_algorithm = srs_algorithm
        if desired_retention is not None:
            profile.desired_retention = desired_retention
        if new_cards_per_day is not None:
            profile.new_cards_per_day = new_cards_per_day
        profile.save()
        if switched:
            switch_algorithm(actor=actor, algorithm=srs_algorithm)
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


def deactivate_users(user_ids) -> int:
    """Moderation: the accounts can no longer log in, and every session they have ends now — browsers and API
    devices alike (an API token lives only as long as its session, see tokens.py). Their data is kept; ticking
    "active" again in the admin restores the account. Returns how many active accounts were deactivated."""
    from allauth.usersessions.models import UserSession
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    ids = list(user_ids)
    with transaction.atomic():
        changed = get_user_model().objects.filter(pk__in=ids, is_active=True).update(is_active=False)
        devices = UserSession.objects.filter(user_id__in=ids)
        Session.objects.filter(session_key__in=devices.values("session_key")).delete()
        devices.delete()
    # A browser session that allauth did not record is refused anyway: the auth backends reject inactive users.
    return changed
