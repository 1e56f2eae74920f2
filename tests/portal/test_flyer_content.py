"""Every fact of the flyer is on the site after a fresh migrate, in both languages.

The expected texts are copied from the flyer (shared/seeds/000_617d6d8fbc01c1eb.txt)
here, independently of the data migrations that load them.
"""

import re
import unicodedata
from html import unescape

import pytest

from bureaus.models import Bureau, Duty, Theme
from core.models import InquiryWindow
from portal import models as content
from tests.conftest import public_paths

# Imported through the module: pytest would try to collect a class named Test*.
Benefit, OverviewPoint = content.Benefit, content.OverviewPoint
PageText, Restriction = content.PageText, content.Restriction
TrainingOpportunity = content.TrainingOpportunity

pytestmark = pytest.mark.django_db

BUREAUS = {
    # name: (contact section, phone, number of duties)
    "政策企画局": ("総務部総務課", "03-5388-2113", 2),
    "総務局": ("総務部総務課", "03-5388-2314", 4),
    "生活文化局": ("総務部総務課", "03-5388-3119", 6),
    "環境局": ("総務部総務課", "03-5388-3418", 4),
    "福祉保健局": ("総務部職員課", "03-5320-4023", 1),
    "産業労働局": ("総務部職員課", "03-5320-4618", 6),
    "会計管理局": ("管理部総務課", "03-5320-5914", 1),
    "監査事務局": ("総務課", "03-5320-7012", 1),
}

DUTIES = [
    "「国際金融都市・東京」の実現を図るため、東京金融賞や資産運用業者の支援策に関する企画立案及び事業実施等",
    "海外都市との交流・協力事業や、在京大使館等との連携事業の企画・運営等",
    "東京都の出資等団体の経営分析、経営管理、都庁を含めたグループ経営戦略の検討",
    "業務の効率化の推進を含む、各種行政改革にかかる総合的な企画及び調整",
    "東京都のＩＣＴを活用した施策の展開にかかる企画・支援・調整等",
    "防災に関する諸計画の策定・改定、官民連携による帰宅困難者対策の推進、防災意識の向上・防災知識の普及を図る広報",
    "都政全般にわたる広報の展開",
    "特定非営利活動促進法(ＮＰＯ法)に基づく法人認証等の事務",
    "在住外国人支援など外国人と日本人が共に参加・活躍できる多文化共生社会の実現に向けての取組実施",
    "結婚に向けた気運の醸成",
    "私立学校教育への助成事業",
    "芸術文化創造・発信事業の調整",
    "使い捨てプラスティックの削減に向けた取組",
    "電気自動車や燃料電池自動車等のゼロエミッション・ビークル（ZEV）の普及促進",
    "暑さ対策",
    "水素社会実現に向けた取組",
    "第８期東京都高齢者保健福祉計画策定に向けた調査・分析等",
    "高齢者や介護に関する実態把握、高齢者施策の今後の展開についての検討等",
    "産業政策及び雇用就業政策に関する総合的な企画・調整・事業運営",
    "観光振興に関する計画の策定",
    "東京産食材の魅力発信や東京産農作物のブランド化に関する業務",
    "多摩産材の利用促進に関する業務",
    "水産業の担い手対策に関する企画・立案",
    "働き方改革推進施策の企画・立案",
    "公金管理に係る総合的な情報の収集、調査及び分析に関すること等",
    "監査の実施",
]

HOME_FACTS = [
    "東京都では、組織の活性化を図るため、職員の外部派遣のほか、民間企業等からの人材受入れを拡大します。",
    "平成30年（2018年）10月から、公募形式で広く募集しています。",
    "企業等の人材を、東京都行政実務研修員として受け入れ",
    "給与等：派遣元企業様負担",
    "都の業務に本格的に従事",
    "業務内容は個別に調整",
    "交流受入期間は３年以内",
    "最長５年まで延長可",
    "都の施設見学等の研修機会",
    "予定",
    "自己啓発として、外部講師による職員向けセミナーの受講やＴＯＥＩＣ団体受験が可能",
    "新たな事業ニーズの発見や組織間ネットワークの構築などが期待されます！",
    "企業様での効果",
    "行政実務の理解",
    "新たな事業ニーズの発見",
    "東京都での効果",
    "都庁組織の活性化",
    "企業等庁外の動向把握",
    "ネットワークの構築",
    "計画がどのように作られているかが分かり、趣旨が理解できることは大きなメリット。",
    "事業主として要望を入れるべきタイミングなどの感覚が分かった。",
    "若いうちに企画分野を経験することができてよかった。",
    "エネルギー",
    "通信",
    "金融",
]

HOW_TO_APPLY_FACTS = [
    "公正な行政運営の確保のため、受入れには一定の制限があります。",
    "処分・許認可・行政指導に関して所管関係にある課への受入れはできません。",
    "補助金等の交付について関係する場合は、補助金等の交付を行う課への受入れはできません。",
    "契約に関する職務に携わることはできません。",
    "お申込みに先立って、受入れ制限にあたらないか等、事前にご相談を受け付けます。",
    "この他に派遣を検討されたい業務がありましたら、遠慮なくお問い合わせください。",
    "東京都総務局ホームページにて、受入れ情報の詳細や最新状況、応募方法を掲載しています。",
    "東京都総務局人事部人事課",
    "03-5388-2374",
    "http://www.soumu.metro.tokyo.jp/03jinji/kouryu.html",
]


def page_text(client, path):
    """A page's text, NFKC-folded like the flyer quotes below."""
    html = unescape(client.get(path).content.decode())
    return unicodedata.normalize("NFKC", html)


def fold(text):
    return unicodedata.normalize("NFKC", text)


def test_the_flyer_counts_are_loaded():
    assert Bureau.objects.live().count() == 8
    assert Duty.objects.live().count() == 25
    # The flyer's texts, the timeline page's and the site policy.
    assert PageText.objects.count() == 6 + 3 + 1
    assert OverviewPoint.objects.live().count() == 3
    assert TrainingOpportunity.objects.live().count() == 2
    assert Benefit.objects.live().count() == 6
    assert content.Testimonial.objects.live().count() == 3
    assert Restriction.objects.live().count() == 3
    assert InquiryWindow.objects.count() == 1
    assert Theme.objects.live().count() >= 8


def test_every_bureau_has_its_section_phone_and_number_of_duties(client):
    for name, (section, phone, duty_count) in BUREAUS.items():
        bureau = Bureau.objects.get(name_ja=name)
        text = page_text(client, bureau.get_absolute_url())
        assert f"{name} {section}" in text
        assert phone in text
        assert bureau.duties.live_alone().count() == duty_count
        assert bureau.contact_email.endswith(".example")


def test_every_duty_of_the_flyer_is_in_the_catalogue(client):
    text = page_text(client, "/bureaus/")
    for duty in DUTIES[:17] + DUTIES[18:]:
        assert fold(duty) in text, duty
    # The welfare duty's note is on its own page.
    detail = page_text(client, "/bureaus/social-welfare-public-health/elderly-welfare-plan/")
    assert fold(DUTIES[17]) in detail


def test_every_fact_of_the_front_side_is_on_the_home_page(client):
    text = page_text(client, "/")
    for fact in HOME_FACTS:
        assert fold(fact) in text, fact


def test_restrictions_pre_consultation_and_central_window_are_on_how_to_apply(client):
    text = page_text(client, "/how-to-apply/")
    for fact in HOW_TO_APPLY_FACTS:
        assert fold(fact) in text, fact


def test_the_central_window_is_in_every_page_footer(client):
    for path in ["/", "/bureaus/", "/bureaus/audit/audits/"]:
        text = page_text(client, path)
        assert "東京都総務局人事部人事課" in text
        assert "03-5388-2374" in text


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Bureau, ["name", "contact_section"]),
        (Duty, ["title"]),
        (Theme, ["name"]),
        (PageText, ["body"]),
        (OverviewPoint, ["title", "note"]),
        (TrainingOpportunity, ["title"]),
        (Benefit, ["title"]),
        (content.Testimonial, ["body", "industry"]),
        (Restriction, ["body"]),
        (InquiryWindow, ["name"]),
    ],
)
def test_every_text_has_an_english_version(model, fields):
    for record in model.objects.all():
        for field in fields:
            if getattr(record, f"{field}_ja"):
                assert getattr(record, f"{field}_en"), f"{model.__name__} {record.pk} {field}_en"


def test_english_pages_carry_the_english_texts(client):
    home = page_text(client, "/en/")
    assert "Since October 2018" in home
    assert "up to 3 years" in home
    assert "maximum of 5 years" in home
    assert "TOEIC" in home
    assert "Telecommunications" in home
    apply = page_text(client, "/en/how-to-apply/")
    assert "Trainees cannot take part in duties related to contracts." in apply
    assert "Personnel Section, Personnel Division, Bureau of General Affairs" in apply


ERA_YEAR = re.compile(r"(?:令和|平成|昭和)(?:\d+|元)年(?!（\d{4}年）)")


@pytest.mark.django_db
def test_no_japanese_page_gives_an_era_year_without_its_western_year(client):
    # Foreign readers and many young ones cannot convert 平成30年 in their head.
    pages = public_paths("ja")
    assert len(pages) > 20
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text = unescape(response.content.decode())
        # The form's hint shows what may be typed (令和9年4月), not a date to read.
        text = text.replace("例: 2027年4月、令和9年4月、2027-04", "")
        assert not ERA_YEAR.findall(text), path
    assert "平成30年（2018年）10月" in client.get("/").content.decode()
