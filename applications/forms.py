"""The pre-consultation form: every field validated, nothing typed ever thrown away."""

import hashlib
import unicodedata
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core import signing, validators
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.models import Answer, Industry
from applications.normalise import normalise_phone, parse_month
from bureaus.models import Bureau, Duty
from core.mailer import address_for_smtp

# Control (Cc), format (Cf: bidi overrides and isolates, zero-width joiners) and the
# line and paragraph separators (Zl, Zp).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
FILL_TIMER_SALT = "applications.consultation.started"


def reject_invisible_characters(value):
    """Refuse line breaks, control and format characters in a one-line text.

    Line breaks would end a mail header or a CSV cell; the others (bidi overrides and
    isolates, line and paragraph separators, VT, FF, NEL, NUL) are invisible or
    reorder what staff read, and no name or address needs them.
    """
    if "\r" in value or "\n" in value:
        raise ValidationError(
            _("改行は入力できません。1 行で入力してください。"), code="line_break"
        )
    if any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value):
        raise ValidationError(
            _(
                "目に見えない制御文字（文字の向きを変える記号、改ページなど）が含まれています。"
                "取り除いてから入力してください。"
            ),
            code="invisible",
        )


class SingleLineField(forms.CharField):
    """A one-line text, its width normalised (NFKC: full-width letters and digits, and
    half-width kana, become their usual forms) before anything is checked."""

    default_validators = [reject_invisible_characters]

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value)).strip()


class ApplicantEmailField(forms.EmailField):
    """An address as the mail server will be given it: width-normalised, no invisible
    characters, a real domain name (no bare host such as localhost, no [IP address])
    and nothing the SMTP client would refuse at send time."""

    INVALID = _("メールアドレスは hanako.yamada@example.co.jp のような形で入力してください。")
    # Django's own check, without its allowlist: "localhost" is no address to reply to.
    default_validators = [
        reject_invisible_characters,
        validators.EmailValidator(INVALID, allowlist=[]),
    ]
    default_error_messages = {"invalid": INVALID}

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value)).strip()

    def validate(self, value):
        super().validate(value)
        if value and value.rpartition("@")[2].startswith("["):
            raise ValidationError(
                _(
                    "メールアドレスの @ の後ろには、example.co.jp のようなドメイン名を入力してください。"
                ),
                code="domain_literal",
            )

    def run_validators(self, value):
        super().run_validators(value)
        try:
            address_for_smtp(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        phone = normalise_phone(value)
        if phone is None:
            raise ValidationError(
                _(
                    "「電話番号」は 03-5388-2374 のように、0 から始まる 10 桁または 11 桁で"
                    "入力してください（内線は「内線 1234」のように後ろに付けられます）。"
                ),
                code="phone",
            )
        return phone


class MonthInput(forms.TextInput):
    """A month as the page's language writes it: 2027年4月, April 2027."""

    def format_value(self, value):
        if isinstance(value, date):
            return formats.date_format(value, "YEAR_MONTH_FORMAT")
        return super().format_value(value)


class MonthField(forms.DateField):
    """A month typed as people write it (applications.normalise.parse_month), stored as
    its first day and shown back in the page's language."""

    widget = MonthInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        month = parse_month(str(value))
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class DutyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, duty):
        return duty.title


def answer_field(label, help_text):
    return forms.ChoiceField(
        label=label, help_text=help_text, choices=Answer.choices, widget=forms.RadioSelect
    )


class ConsultationForm(forms.Form):
    marks_optional_fields = True
    # One question, answered by any of these (a fieldset whose legend says 必須): none of
    # them is tagged on its own, so no tag contradicts validation.
    ONE_OF = ("bureaus", "duties", "other_duties")
    # What messages call the questions whose labels are whole sentences.
    SHORT_NAMES = {
        "industry_other": _("業種（その他）"),
        "licensing_relation": _("処分・許認可・行政指導の関係"),
        "subsidy_relation": _("補助金等の交付の関係"),
        "contract_relation": _("契約の関係"),
        "acknowledge": _("個人情報の取扱いへの同意"),
    }

    company_name = SingleLineField(label=_("企業・団体名"), max_length=200)
    industry = forms.ChoiceField(
        label=_("業種"), choices=[("", _("選択してください"))] + Industry.choices
    )
    industry_other = SingleLineField(
        label=_("業種（その他を選んだ場合）"), max_length=100, required=False
    )
    main_business = SingleLineField(
        label=_("主な事業内容"), max_length=300, help_text=_("例: 法人向けの電力小売")
    )
    contact_name = SingleLineField(label=_("ご担当者の氏名"), max_length=100)
    contact_name_kana = SingleLineField(label=_("ふりがな"), max_length=100, required=False)
    department = SingleLineField(label=_("部署"), max_length=150, help_text=_("例: 人事部人事課"))
    job_title = SingleLineField(label=_("役職"), max_length=100, required=False)
    email = ApplicantEmailField(
        label=_("メールアドレス"),
        max_length=254,
        help_text=_("受付確認のメールをお送りします。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField(
        label=_("電話番号"),
        max_length=40,
        help_text=_("例: 03-5388-2374、03-5388-2374 内線 1234（全角・半角どちらでも構いません）"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    bureaus = forms.ModelMultipleChoiceField(
        label=_("相談したい局"),
        queryset=Bureau.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("業務がまだ決まっていない場合は、局だけを選んでください。複数選べます。"),
        error_messages={
            "invalid_choice": _("選んだ局は現在掲載されていません。選び直してください。"),
            "invalid_pk_value": _("選んだ局は現在掲載されていません。選び直してください。"),
        },
    )
    duties = DutyChoiceField(
        label=_("相談したい業務"),
        queryset=Duty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("複数の局にわたって選べます。"),
        error_messages={
            "invalid_choice": _("選んだ業務は現在掲載されていません。選び直してください。"),
            "invalid_pk_value": _("選んだ業務は現在掲載されていません。選び直してください。"),
        },
    )
    other_duties = forms.CharField(
        label=_("掲載以外に希望する業務"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("掲載している業務内容例のほかに、派遣を検討したい業務があればお書きください。"),
    )
    desired_start = MonthField(
        label=_("希望する開始月"),
        help_text=_("例: 2027年4月、令和9年4月、2027-04"),
        widget=MonthInput(attrs={"autocomplete": "off"}),
    )
    desired_months = forms.IntegerField(
        label=_("希望する期間（月数）"),
        min_value=1,
        max_value=36,
        help_text=_("最長 36 か月（3 年）。受入れ後、最長 5 年まで延長できます。"),
    )
    message = forms.CharField(
        label=_("ご相談内容"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    licensing_relation = answer_field(
        _("貴社と、希望する局との間に、処分・許認可・行政指導に関する関係がありますか。"),
        _("所管関係にある課には受け入れられません。"),
    )
    subsidy_relation = answer_field(
        _("貴社は、希望する局から補助金等の交付を受けていますか（受ける予定がありますか）。"),
        _("補助金等の交付を行う課には受け入れられません。"),
    )
    contract_relation = answer_field(
        _("貴社と、希望する局との間に、契約の関係がありますか。"),
        _("研修員は契約に関する職務には携われません。"),
    )
    acknowledge = forms.BooleanField(
        label=_("上記の個人情報の取扱いに同意します。"),
        error_messages={"required": _("送信するには、個人情報の取扱いへの同意が必要です。")},
    )
    # Spam guards: a field people never see, and the time the form was first shown.
    website = forms.CharField(required=False, label=_("このフィールドは空欄のままにしてください"))
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    SCALAR_FIELDS = [
        "company_name", "industry", "industry_other", "main_business", "contact_name",
        "contact_name_kana", "department", "job_title", "email", "phone", "other_duties",
        "desired_start", "desired_months", "message", "licensing_relation",
        "subsidy_relation", "contract_relation",
    ]  # fmt: skip

    # The consent is shown with the notice it refers to, not in this list.
    CONFIRMED_FIELDS = [
        "company_name", "industry", "industry_other", "main_business", "contact_name",
        "contact_name_kana", "department", "job_title", "email", "phone", "bureaus", "duties",
        "other_duties", "desired_start", "desired_months", "message", "licensing_relation",
        "subsidy_relation", "contract_relation",
    ]  # fmt: skip

    def __init__(self, *args, visitor="", check_timing=True, **kwargs):
        """``visitor`` ties the fill-time token to one browser session (the view's
        visitor_binding); ``check_timing`` is off when a stored draft is checked again."""
        super().__init__(*args, **kwargs)
        self.visitor = visitor
        self.check_timing = check_timing
        bureaus = list(Bureau.objects.live())
        duties = list(Duty.objects.live().select_related("bureau"))
        self.fields["bureaus"].queryset = Bureau.objects.live()
        self.fields["bureaus"].choices = [(bureau.pk, bureau.name) for bureau in bureaus]
        self.fields["duties"].queryset = Duty.objects.live()
        self.fields["duties"].choices = [
            (bureau.name, [(duty.pk, duty.title) for duty in duties if duty.bureau_id == bureau.pk])
            for bureau in bureaus
            if any(duty.bureau_id == bureau.pk for duty in duties)
        ]
        if not self.is_bound:
            self.initial.setdefault("started", self.fill_token())
        self._name_each_field_in_its_messages()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("企業・団体について"),
                "company_name", "industry", "industry_other", "main_business",
            ),
            Fieldset(
                _("ご担当者"),
                "contact_name", "contact_name_kana", "department", "job_title", "email", "phone",
            ),
            Fieldset(
                _("希望する局・業務と時期"),
                Fieldset(
                    self.one_of_legend(),
                    "bureaus", "duties", "other_duties",
                    css_class="form-question", css_id="one-of-question",
                ),
                "desired_start", "desired_months", "message",
            ),
            Fieldset(
                _("受入れ制限の自己確認"),
                "licensing_relation", "subsidy_relation", "contract_relation",
            ),
            Fieldset(
                _("個人情報の取扱い"),
                HTML('{% include "applications/includes/purpose_of_use.html" %}'),
                "acknowledge",
            ),
            Div("website", css_class="contact-trap"),
            "started",
        )  # fmt: skip

    def one_of_legend(self):
        """The legend of the one required question, with its 必須 tag and what it needs."""
        return format_html(
            '{}<span class="requirement-tag requirement-tag-required">{}</span>'
            '<span class="support-text">{}</span>',
            _("相談したい局・業務"),
            _("必須"),
            _("局を選ぶ、業務を選ぶ、掲載以外に希望する業務を書く、のいずれか 1 つ以上"),
        )

    def short_name(self, name):
        return self.SHORT_NAMES.get(name, self.fields[name].label)

    def _name_each_field_in_its_messages(self):
        """Messages that name their field and the fix, never a bare "required"."""
        for name, field in self.fields.items():
            named = {"field": self.short_name(name)}
            choice = isinstance(field, forms.ChoiceField)
            required = (
                _("「%(field)s」を選んでください。")
                if choice
                else _("「%(field)s」を入力してください。")
            )
            field.error_messages = {
                **field.error_messages,
                "required": field.error_messages["required"]
                if name == "acknowledge"
                else required % named,
            }
            # Django's own wording only: the bureaus and duties say what went wrong.
            default = type(field).default_error_messages.get("invalid_choice")
            if default is not None and field.error_messages.get("invalid_choice") is default:
                field.error_messages["invalid_choice"] = (
                    _("「%(field)s」は、示された選択肢から選んでください。") % named
                )
            field.validators = [self._named_validator(v, named) for v in field.validators]
        self.fields["desired_start"].error_messages["invalid"] = _(
            "「希望する開始月」は 2027年4月 のように、年と月を入力してください。"
        )
        self.fields["desired_months"].error_messages["invalid"] = _(
            "「希望する期間（月数）」は 1 から 36 までの数字で入力してください。"
        )

    @staticmethod
    def _named_validator(validator, named):
        """A copy of a length or range validator whose message names the field."""
        messages = {
            validators.MaxLengthValidator: _(
                "「%(field)s」は %%(limit_value)d 文字以内で入力してください（いまは %%(show_value)d 文字です）。"
            ),
            validators.MinValueValidator: _(
                "「%(field)s」は %%(limit_value)s 以上の数字で入力してください。"
            ),
            validators.MaxValueValidator: _(
                "「%(field)s」は %%(limit_value)s 以下の数字で入力してください。"
            ),
        }
        message = messages.get(type(validator))
        if message is None:
            return validator
        return type(validator)(validator.limit_value, message=message % named)

    def clean_desired_start(self):
        start = self.cleaned_data["desired_start"]
        today = timezone.localdate()
        if start < date(today.year, today.month, 1):
            raise ValidationError(
                _("「希望する開始月」は、今月以降の月を入力してください。"), code="past"
            )
        return start

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("industry") == Industry.OTHER and not cleaned.get("industry_other"):
            self.add_error(
                "industry_other",
                _("「業種」で「その他」を選んだ場合は、「業種（その他）」を入力してください。"),
            )
        if not (cleaned.get("bureaus") or cleaned.get("duties") or cleaned.get("other_duties")):
            self.add_error(
                "bureaus",
                _(
                    "「相談したい局・業務」は、局か業務を 1 つ以上選ぶか、"
                    "掲載以外に希望する業務をお書きください。"
                ),
            )
        if self.check_timing:
            self._check_fill_time(cleaned)
        return cleaned

    def fill_token(self):
        """The signed moment the form was shown, valid only for this visitor."""
        return signing.dumps(timezone.now().timestamp(), salt=self._fill_salt())

    def _fill_salt(self):
        binding = hashlib.sha256(self.visitor.encode()).hexdigest()[:16]
        return f"{FILL_TIMER_SALT}:{binding}"

    def _check_fill_time(self, cleaned):
        """Refuse the honeypot, a token of another session, and a form sent faster than
        people fill it in; a form left open too long gets a fresh token and a word."""
        spam = ValidationError(
            _("送信を受け付けられませんでした。内容をご確認のうえ、もう一度送信してください。"),
            code="spam_guard",
        )
        if cleaned.get("website"):
            raise spam
        try:
            started = signing.loads(
                self.data.get("started", ""),
                salt=self._fill_salt(),
                max_age=settings.CONSULTATION_FORM_VALID_HOURS * 3600,
            )
        except signing.SignatureExpired:
            # What was typed stays; the next press of the button goes through.
            self.data = self.data.copy()
            self.data["started"] = self.fill_token()
            raise ValidationError(
                _(
                    "フォームを開いてから時間がたったため、送信を受け付けられませんでした。"
                    "入力内容はそのままです。もう一度「入力内容を確認する」を押してください。"
                ),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise spam from None
        if timezone.now().timestamp() - float(started) < settings.CONSULTATION_MIN_FILL_SECONDS:
            raise spam

    def error_summary(self):
        """Each error with the id of the control it belongs to, in the order of the page.

        A group of radios or checkboxes links to its first option, whatever its id
        (grouped duties are numbered per bureau: id_duties_0_0).
        """
        entries = [("", error) for error in self.non_field_errors()]
        for name in self.fields:
            if name not in self.errors:
                continue
            field = self[name]
            anchor = field.auto_id
            if isinstance(field.field.widget, forms.RadioSelect):  # Checkbox groups too.
                options = field.subwidgets
                anchor = options[0].id_for_label if options else anchor
            short = str(self.short_name(name))
            entries += [
                (
                    anchor,
                    error
                    if short in error
                    else _("%(field)s：%(message)s") % {"field": short, "message": error},
                )
                for error in self.errors[name]
            ]
        return entries

    def confirmation_rows(self):
        """(label, text) for every answer, as the confirm page shows them."""
        rows = []
        for name in self.CONFIRMED_FIELDS:
            field, value = self.fields[name], self.cleaned_data.get(name)
            if name == "desired_start":
                text = formats.date_format(value, "YEAR_MONTH_FORMAT")
            elif name == "desired_months":
                text = ngettext("%(months)s か月", "%(months)s か月", value) % {"months": value}
            elif name in ("bureaus", "duties"):
                text = "\n".join(
                    str(item.name if name == "bureaus" else item.title) for item in value
                )
            elif getattr(field, "choices", None) and value:
                text = dict(field.choices)[value]
            else:
                text = value
            rows.append((field.label, text or _("（入力なし）")))
        return rows

    def inquiry_answers(self):
        """The scalar answers, ready for ``submit_inquiry``."""
        return {name: self.cleaned_data[name] for name in self.SCALAR_FIELDS}
