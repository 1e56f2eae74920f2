"""Load the flyer's catalogue: 8 bureaus, their contact sections, 25 example duties, themes.

Japanese texts follow the flyer (full-width letters and digits normalised, line
breaks joined). English texts are the portal's own translation. The flyer names no
e-mail addresses, so each bureau gets one on the reserved .example domain for HR
staff to replace in admin.
"""

from django.db import migrations

from bureaus.search import fold as normalise_for_search

THEMES = [
    # slug, Japanese, English
    ("international", "国際・多文化共生", "International affairs and multicultural community"),
    ("finance", "金融・財務", "Finance"),
    ("administrative-reform", "行政改革・経営", "Administrative reform and management"),
    ("ict", "ICT・デジタル", "ICT and digital"),
    ("disaster-prevention", "防災", "Disaster prevention"),
    ("public-relations", "広報", "Public relations"),
    ("culture-community", "文化・地域社会", "Culture and community"),
    ("environment", "環境・エネルギー", "Environment and energy"),
    ("welfare", "福祉・保健", "Welfare and health"),
    ("industry-tourism", "産業・観光・雇用", "Industry, tourism and employment"),
    ("agriculture", "農林水産", "Agriculture, forestry and fisheries"),
]

BUREAUS = [
    {
        "slug": "policy-planning",
        "name_ja": "政策企画局",
        "name_en": "Office of the Governor for Policy Planning",
        "contact_section_ja": "総務部総務課",
        "contact_section_en": "General Affairs Section, General Affairs Division",
        "phone": "03-5388-2113",
        "duties": [
            (
                "international-financial-city",
                "「国際金融都市・東京」の実現を図るため、東京金融賞や資産運用業者の支援策に関する企画立案及び事業実施等",
                "Planning and running measures to realise “Tokyo, a Global Financial City”, such as the Tokyo Financial Award and support for asset management firms",
                "",
                "",
                ["finance", "international"],
            ),
            (
                "overseas-cities-embassies",
                "海外都市との交流・協力事業や、在京大使館等との連携事業の企画・運営等",
                "Planning and running exchange and cooperation projects with overseas cities, and joint projects with embassies in Tokyo",
                "",
                "",
                ["international"],
            ),
        ],
    },
    {
        "slug": "general-affairs",
        "name_ja": "総務局",
        "name_en": "Bureau of General Affairs",
        "contact_section_ja": "総務部総務課",
        "contact_section_en": "General Affairs Section, General Affairs Division",
        "phone": "03-5388-2314",
        "duties": [
            (
                "affiliated-organisations-management",
                "東京都の出資等団体の経営分析、経営管理、都庁を含めたグループ経営戦略の検討",
                "Management analysis and oversight of organisations funded by the Tokyo Metropolitan Government, and group management strategy including the TMG itself",
                "",
                "",
                ["administrative-reform", "finance"],
            ),
            (
                "administrative-reform",
                "業務の効率化の推進を含む、各種行政改革にかかる総合的な企画及び調整",
                "Overall planning and coordination of administrative reform, including making work more efficient",
                "",
                "",
                ["administrative-reform"],
            ),
            (
                "ict-policy",
                "東京都のICTを活用した施策の展開にかかる企画・支援・調整等",
                "Planning, support and coordination for the TMG's policies that make use of ICT",
                "",
                "",
                ["ict"],
            ),
            (
                "disaster-prevention",
                "防災に関する諸計画の策定・改定、官民連携による帰宅困難者対策の推進、防災意識の向上・防災知識の普及を図る広報",
                "Drawing up and revising disaster prevention plans, public-private measures for people unable to return home after a disaster, and publicity that raises awareness and spreads knowledge of disaster prevention",
                "",
                "",
                ["disaster-prevention", "public-relations"],
            ),
        ],
    },
    {
        "slug": "citizens-culture",
        "name_ja": "生活文化局",
        "name_en": "Bureau of Citizens and Cultural Affairs",
        "contact_section_ja": "総務部総務課",
        "contact_section_en": "General Affairs Section, General Affairs Division",
        "phone": "03-5388-3119",
        "duties": [
            (
                "metropolitan-public-relations",
                "都政全般にわたる広報の展開",
                "Public relations covering every area of the metropolitan government",
                "",
                "",
                ["public-relations"],
            ),
            (
                "npo-certification",
                "特定非営利活動促進法(NPO法)に基づく法人認証等の事務",
                "Certifying corporations and related work under the Act on Promotion of Specified Non-profit Activities (the NPO Act)",
                "",
                "",
                ["culture-community"],
            ),
            (
                "multicultural-society",
                "在住外国人支援など外国人と日本人が共に参加・活躍できる多文化共生社会の実現に向けての取組実施",
                "Work towards a multicultural society in which foreign and Japanese residents take part and thrive together, including support for foreign residents",
                "",
                "",
                ["international", "culture-community"],
            ),
            (
                "marriage-support",
                "結婚に向けた気運の醸成",
                "Building a social climate that supports people wishing to marry",
                "",
                "",
                ["culture-community"],
            ),
            (
                "private-school-subsidies",
                "私立学校教育への助成事業",
                "Subsidy programmes for private school education",
                "",
                "",
                ["culture-community"],
            ),
            (
                "arts-culture",
                "芸術文化創造・発信事業の調整",
                "Coordinating projects that create and promote arts and culture",
                "",
                "",
                ["culture-community"],
            ),
        ],
    },
    {
        "slug": "environment",
        "name_ja": "環境局",
        "name_en": "Bureau of Environment",
        "contact_section_ja": "総務部総務課",
        "contact_section_en": "General Affairs Section, General Affairs Division",
        "phone": "03-5388-3418",
        "duties": [
            (
                "single-use-plastics",
                "使い捨てプラスティックの削減に向けた取組",
                "Work to reduce single-use plastics",
                "",
                "",
                ["environment"],
            ),
            (
                "zero-emission-vehicles",
                "電気自動車や燃料電池自動車等のゼロエミッション・ビークル(ZEV)の普及促進",
                "Promoting zero-emission vehicles (ZEV) such as electric and fuel cell vehicles",
                "",
                "",
                ["environment"],
            ),
            (
                "heat-countermeasures",
                "暑さ対策",
                "Measures against summer heat",
                "",
                "",
                ["environment"],
            ),
            (
                "hydrogen-society",
                "水素社会実現に向けた取組",
                "Work towards a hydrogen-based society",
                "",
                "",
                ["environment"],
            ),
        ],
    },
    {
        "slug": "social-welfare-public-health",
        "name_ja": "福祉保健局",
        "name_en": "Bureau of Social Welfare and Public Health",
        "contact_section_ja": "総務部職員課",
        "contact_section_en": "Personnel Section, General Affairs Division",
        "phone": "03-5320-4023",
        "duties": [
            (
                "elderly-welfare-plan",
                "第8期東京都高齢者保健福祉計画策定に向けた調査・分析等",
                "Research and analysis towards the 8th Tokyo Metropolitan Health and Welfare Plan for the Elderly",
                "高齢者や介護に関する実態把握、高齢者施策の今後の展開についての検討等",
                "Including surveys of the situation of older people and long-term care, and studies on the future direction of policies for older people",
                ["welfare"],
            ),
        ],
    },
    {
        "slug": "industrial-labour",
        "name_ja": "産業労働局",
        "name_en": "Bureau of Industrial and Labor Affairs",
        "contact_section_ja": "総務部職員課",
        "contact_section_en": "Personnel Section, General Affairs Division",
        "phone": "03-5320-4618",
        "duties": [
            (
                "industrial-employment-policy",
                "産業政策及び雇用就業政策に関する総合的な企画・調整・事業運営",
                "Overall planning, coordination and management of industrial policy and employment policy",
                "",
                "",
                ["industry-tourism"],
            ),
            (
                "tourism-plan",
                "観光振興に関する計画の策定",
                "Drawing up plans to promote tourism",
                "",
                "",
                ["industry-tourism"],
            ),
            (
                "tokyo-grown-food",
                "東京産食材の魅力発信や東京産農作物のブランド化に関する業務",
                "Promoting food produced in Tokyo and building brands for Tokyo-grown crops",
                "",
                "",
                ["agriculture", "public-relations"],
            ),
            (
                "tama-timber",
                "多摩産材の利用促進に関する業務",
                "Promoting the use of timber from the Tama area",
                "",
                "",
                ["agriculture"],
            ),
            (
                "fisheries-workforce",
                "水産業の担い手対策に関する企画・立案",
                "Planning measures to secure the next generation of workers in the fishing industry",
                "",
                "",
                ["agriculture"],
            ),
            (
                "work-style-reform",
                "働き方改革推進施策の企画・立案",
                "Planning measures to promote work-style reform",
                "",
                "",
                ["industry-tourism"],
            ),
        ],
    },
    {
        "slug": "accounting",
        "name_ja": "会計管理局",
        "name_en": "Bureau of Accounting",
        "contact_section_ja": "管理部総務課",
        "contact_section_en": "General Affairs Section, Management Division",
        "phone": "03-5320-5914",
        "duties": [
            (
                "public-funds-management",
                "公金管理に係る総合的な情報の収集、調査及び分析に関すること等",
                "Collecting, researching and analysing information on the management of public funds",
                "",
                "",
                ["finance"],
            ),
        ],
    },
    {
        "slug": "audit",
        "name_ja": "監査事務局",
        "name_en": "Audit and Inspection Bureau",
        "contact_section_ja": "総務課",
        "contact_section_en": "General Affairs Section",
        "phone": "03-5320-7012",
        "duties": [
            (
                "audits",
                "監査の実施",
                "Carrying out audits",
                "",
                "",
                ["administrative-reform"],
            ),
        ],
    },
]


def load(apps, schema_editor):
    Theme = apps.get_model("bureaus", "Theme")
    Bureau = apps.get_model("bureaus", "Bureau")
    Duty = apps.get_model("bureaus", "Duty")

    themes = {}
    for order, (slug, name_ja, name_en) in enumerate(THEMES, start=1):
        themes[slug] = Theme.objects.create(
            slug=slug, name_ja=name_ja, name_en=name_en, order=order * 10
        )
    for bureau_order, data in enumerate(BUREAUS, start=1):
        fields = {key: value for key, value in data.items() if key != "duties"}
        bureau = Bureau.objects.create(
            **fields,
            contact_email=f"{data['slug']}@kouryu.metro.tokyo.example",
            order=bureau_order * 10,
            # Historical models have no save(): the search text is set here.
            search_text=normalise_for_search(data["name_ja"], data["name_en"]),
        )
        for duty_order, (slug, title_ja, title_en, desc_ja, desc_en, theme_slugs) in enumerate(
            data["duties"], start=1
        ):
            duty = Duty.objects.create(
                bureau=bureau,
                slug=slug,
                title_ja=title_ja,
                title_en=title_en,
                description_ja=desc_ja,
                description_en=desc_en,
                order=duty_order * 10,
                search_text=normalise_for_search(title_ja, title_en, desc_ja, desc_en),
            )
            duty.themes.set([themes[theme_slug] for theme_slug in theme_slugs])


def unload(apps, schema_editor):
    Theme = apps.get_model("bureaus", "Theme")
    Bureau = apps.get_model("bureaus", "Bureau")
    Duty = apps.get_model("bureaus", "Duty")
    bureau_slugs = [data["slug"] for data in BUREAUS]
    Duty.objects.filter(bureau__slug__in=bureau_slugs).delete()
    Bureau.objects.filter(slug__in=bureau_slugs).delete()
    Theme.objects.filter(slug__in=[slug for slug, _ja, _en in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("bureaus", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
