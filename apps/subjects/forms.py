from django import forms

from apps.subjects.models import Subject


class SubjectForm(forms.ModelForm):
    class Meta:
        model = Subject
        fields = ["name", "description", "color", "icon"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": "e.g. Linear Algebra", "autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 2, "placeholder": "What is this subject about? (optional)"}),
            "color": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the subject a name.")
        clash = Subject.objects.filter(user=self.user, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"You already have a subject called “{name}”.")
        return name

    def validate_unique(self):
        # Uniqueness per user is checked in clean_name (the form does not carry the user field).
        pass
