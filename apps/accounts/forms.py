from django import forms
from django.contrib.auth import get_user_model

from apps.accounts.models import Profile


class ProfileForm(forms.ModelForm):
    email = forms.EmailField()

    class Meta:
        model = Profile
        fields = ["full_name", "srs_algorithm", "desired_retention", "new_cards_per_day"]
        help_texts = {
            "srs_algorithm": "FSRS schedules reviews from a model of your memory; SM-2 is the classic. "
            "Switching rebuilds every card's schedule from your review history.",
            "desired_retention": "FSRS: how likely you want to remember a card when it comes due (0.70–0.97). "
            "Higher means more reviews.",
            "new_cards_per_day": "How many new cards a review sitting introduces per day.",
        }
        widgets = {"desired_retention": forms.NumberInput(attrs={"step": "0.01", "min": "0.70", "max": "0.97"})}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = user.email
        self.order_fields(["full_name", "email", "srs_algorithm", "desired_retention", "new_cards_per_day"])
        for name in ("desired_retention", "new_cards_per_day"):
            self.fields[name].required = False

    def _or_current(self, name):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value in (None, "") else value

    def clean_desired_retention(self):
        return self._or_current("desired_retention")

    def clean_new_cards_per_day(self):
        return self._or_current("new_cards_per_day")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        taken = get_user_model().objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists()
        if taken:
            raise forms.ValidationError("Another account already uses this email address.")
        return email


class DeleteAccountForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
