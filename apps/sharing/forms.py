from django import forms
from django.conf import settings

from apps.sharing.models import ShareMode

DEFAULT_DAYS = 7


class ShareLinkForm(forms.Form):
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    max_views = forms.IntegerField(
        label="Maximum views",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Each visitor's browser counts once. Leave empty for no limit.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "No limit"}),
    )
    password = forms.CharField(
        label="Password",
        required=False,
        min_length=4,
        max_length=128,
        strip=False,
        help_text="Visitors must enter it before they see anything. Tell it to them separately.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    mode = forms.ChoiceField(
        label="Visitors can",
        choices=[
            (ShareMode.PAGES, "Read the pages (text, figures and page images)"),
            (ShareMode.PAGES_CHAT, "Read the pages and ask questions answered from this lecture only"),
        ],
        initial=ShareMode.PAGES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, for_lecture: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["expires_in_days"]
        days.validators.append(_max_days)  # the operator's maximum is read per request, not at import
        days.widget.attrs["max"] = settings.SHARE_MAX_DAYS
        days.initial = min(DEFAULT_DAYS, settings.SHARE_MAX_DAYS)
        days.help_text = f"At most {settings.SHARE_MAX_DAYS} days on this server. The link then stops working."
        if not for_lecture:
            del self.fields["mode"]

    def cleaned_mode(self) -> str:
        return self.cleaned_data.get("mode") or ShareMode.PAGES


def _max_days(value):
    if value > settings.SHARE_MAX_DAYS:
        raise forms.ValidationError(f"A link can last at most {settings.SHARE_MAX_DAYS} days on this server.")
