"""Load the flyer's programme content: overview, training, benefits, testimonials,
restrictions, the running texts and the central inquiry window.

Japanese texts follow the flyer (full-width letters and digits normalised).
English texts are the portal's own translation.
"""

from django.db import migrations

PAGE_TEXTS = [
    (
        "introduction",
        "東京都では、組織の活性化を図るため、職員の外部派遣のほか、民間企業等からの人材受入れを拡大します。"
        "特に企業等からの人材の受入れ（交流受入）については、平成30年10月から、公募形式で広く募集しています。"
        "是非ご検討、お問い合わせください。",
        "To invigorate its organisation, the Tokyo Metropolitan Government is expanding the number of people "
        "it accepts from private companies and other organisations, alongside sending its own staff outside. "
        "Since October 2018 (Heisei 30) it has openly invited companies and other organisations to send staff "
        "through personnel exchange (kōryū ukeire). Please consider it and contact us.",
    ),
    (
        "benefits_lead",
        "新たな事業ニーズの発見や組織間ネットワークの構築などが期待されます！",
        "Expect to discover new business needs and to build networks between organisations.",
    ),
    (
        "restrictions_lead",
        "公正な行政運営の確保のため、受入れには一定の制限があります。",
        "To keep administration fair, there are some limits on where staff can be placed.",
    ),
    (
        "pre_consultation",
        "お申込みに先立って、受入れ制限にあたらないか等、事前にご相談を受け付けます。",
        "Before you apply, we welcome a pre-consultation, for example to check that none of the placement "
        "restrictions applies.",
    ),
    (
        "other_duties",
        "この他に派遣を検討されたい業務がありましたら、遠慮なくお問い合わせください。",
        "If there are other duties to which you would like to send staff, please do not hesitate to contact us.",
    ),
    (
        "details_online",
        "東京都総務局ホームページにて、受入れ情報の詳細や最新状況、応募方法を掲載しています。"
        "詳しくは東京都総務局人事部のホームページをご覧ください。",
        "The Bureau of General Affairs website gives details of the programme, the latest situation and how "
        "to apply. For more, please see the website of the Personnel Division, Bureau of General Affairs.",
    ),
]

OVERVIEW_POINTS = [
    (
        "企業等の人材を、東京都行政実務研修員として受け入れ",
        "給与等：派遣元企業様負担",
        "Staff from companies and other organisations are accepted as Tokyo Metropolitan Government "
        "administrative trainees (Tokyo-to Gyōsei Jitsumu Kenshūin)",
        "Salary and other costs are borne by the sending company",
    ),
    (
        "都の業務に本格的に従事",
        "業務内容は個別に調整",
        "Trainees take on real Tokyo Metropolitan Government work in earnest",
        "The duties are arranged case by case",
    ),
    (
        "交流受入期間は3年以内",
        "最長5年まで延長可",
        "The exchange lasts up to 3 years",
        "It can be extended to a maximum of 5 years",
    ),
]

TRAINING = [
    (
        "都の施設見学等の研修機会",
        "Training such as visits to Tokyo Metropolitan Government facilities",
        True,
    ),
    (
        "自己啓発として、外部講師による職員向けセミナーの受講やTOEIC団体受験が可能",
        "For self-development, trainees can attend staff seminars given by external lecturers and take "
        "the TOEIC test as part of a group sitting",
        False,
    ),
]

BENEFITS = [
    ("company", "行政実務の理解", "Understanding of how public administration works"),
    ("company", "新たな事業ニーズの発見", "Discovery of new business needs"),
    ("company", "ネットワークの構築", "Building networks"),
    ("tokyo", "都庁組織の活性化", "Invigorating the Tokyo Metropolitan Government organisation"),
    (
        "tokyo",
        "企業等庁外の動向把握",
        "Understanding trends in companies and elsewhere outside the government",
    ),
    ("tokyo", "ネットワークの構築", "Building networks"),
]

TESTIMONIALS = [
    (
        "出向元では官公庁が定める都市計画に基づき法人営業をしていたが、計画がどのように作られているかが分かり、"
        "趣旨が理解できることは大きなメリット。",
        "エネルギー",
        "At my company I sold to corporate clients on the basis of city plans set by government. Seeing how "
        "those plans are made, and understanding their purpose, is a big advantage.",
        "Energy",
    ),
    (
        "都における予算要求スケジュールや長期計画等への理解が深まり、事業主として要望を入れるべきタイミングなどの"
        "感覚が分かった。",
        "通信",
        "I came to understand the Tokyo Metropolitan Government's budget request schedule and long-term "
        "plans, and got a feel for when a business should put forward its requests.",
        "Telecommunications",
    ),
    (
        "普段は短期的に結果を出すことを求められてきた中で、長期的な視点で物事を考えることができ、"
        "若いうちに企画分野を経験することができてよかった。",
        "金融",
        "I was used to being asked for short-term results. Here I could think about things from a long-term "
        "perspective, and I am glad to have gained planning experience while still young.",
        "Finance",
    ),
]

RESTRICTIONS = [
    (
        "処分・許認可・行政指導に関して所管関係にある課への受入れはできません。",
        "Staff cannot be placed in a section that has jurisdiction over the sending company in matters of "
        "dispositions, licences and permits, or administrative guidance.",
    ),
    (
        "補助金等の交付について関係する場合は、補助金等の交付を行う課への受入れはできません。",
        "Where the sending company is concerned with subsidies or similar grants, staff cannot be placed in "
        "the section that grants them.",
    ),
    (
        "契約に関する職務に携わることはできません。",
        "Trainees cannot take part in duties related to contracts.",
    ),
]

WINDOW = {
    "name_ja": "東京都総務局人事部人事課",
    "name_en": "Personnel Section, Personnel Division, Bureau of General Affairs, Tokyo Metropolitan Government",
    "phone": "03-5388-2374",
    "contact_email": "jinji-kouryu@kouryu.metro.tokyo.example",
    "website": "http://www.soumu.metro.tokyo.jp/03jinji/kouryu.html",
}


def load(apps, schema_editor):
    model = apps.get_model
    for place, body_ja, body_en in PAGE_TEXTS:
        model("portal", "PageText").objects.create(place=place, body_ja=body_ja, body_en=body_en)
    for order, (title_ja, note_ja, title_en, note_en) in enumerate(OVERVIEW_POINTS, start=1):
        model("portal", "OverviewPoint").objects.create(
            title_ja=title_ja, note_ja=note_ja, title_en=title_en, note_en=note_en, order=order * 10
        )
    for order, (title_ja, title_en, is_planned) in enumerate(TRAINING, start=1):
        model("portal", "TrainingOpportunity").objects.create(
            title_ja=title_ja, title_en=title_en, is_planned=is_planned, order=order * 10
        )
    for order, (audience, title_ja, title_en) in enumerate(BENEFITS, start=1):
        model("portal", "Benefit").objects.create(
            audience=audience, title_ja=title_ja, title_en=title_en, order=order * 10
        )
    for order, (body_ja, industry_ja, body_en, industry_en) in enumerate(TESTIMONIALS, start=1):
        model("portal", "Testimonial").objects.create(
            body_ja=body_ja,
            industry_ja=industry_ja,
            body_en=body_en,
            industry_en=industry_en,
            order=order * 10,
        )
    for order, (body_ja, body_en) in enumerate(RESTRICTIONS, start=1):
        model("portal", "Restriction").objects.create(
            body_ja=body_ja, body_en=body_en, order=order * 10
        )
    model("portal", "InquiryWindow").objects.create(**WINDOW)


def unload(apps, schema_editor):
    model = apps.get_model
    model("portal", "PageText").objects.filter(place__in=[p for p, _ja, _en in PAGE_TEXTS]).delete()
    model("portal", "OverviewPoint").objects.filter(
        title_ja__in=[p[0] for p in OVERVIEW_POINTS]
    ).delete()
    model("portal", "TrainingOpportunity").objects.filter(
        title_ja__in=[t[0] for t in TRAINING]
    ).delete()
    model("portal", "Benefit").objects.filter(title_ja__in=[b[1] for b in BENEFITS]).delete()
    model("portal", "Testimonial").objects.filter(body_ja__in=[t[0] for t in TESTIMONIALS]).delete()
    model("portal", "Restriction").objects.filter(body_ja__in=[r[0] for r in RESTRICTIONS]).delete()
    model("portal", "InquiryWindow").objects.filter(name_ja=WINDOW["name_ja"]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
