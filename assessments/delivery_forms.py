import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from assessments.delivery_models import HandoutEmail


class SendHandoutForm(forms.Form):
    """Only a one-time key: the same confirmation page submitted twice sends once."""

    request_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["request_key"] = uuid.uuid4()


class HandoutEmailForm(forms.ModelForm):
    class Meta:
        model = HandoutEmail
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save message"))
