"""The one-time code form shared by enrolment and verification."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("確認コード（6 桁）"),
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not token.isdigit():
            raise forms.ValidationError(_("確認コードは半角数字 6 桁で入力してください。"))
        return token
