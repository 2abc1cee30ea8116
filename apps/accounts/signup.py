"""Sign-up that does not tell a visitor whether an email address already has an account.

allauth prevents this enumeration only with mandatory email verification: with ``optional`` it answers "A user
is already registered with this email address" on the form. Here, whenever verification is optional or
mandatory, both cases end on the same "check your email" page: a new account is created but not logged in (its
confirmation link logs it in; with optional verification a plain log-in works too), and for a taken address no
account is created and its owner is mailed that someone tried to sign up with it. With ``none`` there is no
email to send instead, so the form says the address is taken (allauth's behaviour; see README).
"""

from allauth.account import app_settings
from allauth.account.forms import SignupForm
from allauth.account.internal import flows
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import Login

MANDATORY = app_settings.EmailVerificationMethod.MANDATORY


def _hides_existing_accounts() -> bool:
    return app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.NONE


class EnumerationSafeSignupForm(SignupForm):
    def validate_unique_email(self, value):
        if _hides_existing_accounts() and filter_users_by_email(value):
            self.account_already_exists = True
            return value
        return super().validate_unique_email(value)

    def try_save(self, request):
        if not _hides_existing_accounts():
            return super().try_save(request)
        email = self.cleaned_data.get("email")
        if self.account_already_exists:
            # The owner gets allauth's "account already exists" mail; the visitor the same page as a new sign-up.
            return None, perform_login(
                request, Login(user=None, email=email, signup=True, email_verification=MANDATORY)
            )
        user = self.save(request)
        return user, flows.signup.complete_signup(request, user=user, email_verification=MANDATORY)
