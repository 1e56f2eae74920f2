"""Load the first FAQ entries and the texts of the timeline page.

Every answer restates a fact already on the flyer or the site (who is accepted,
who pays, the term, the duties, the restrictions, pre-consultation, the central
window); nothing new is claimed. English texts are the portal's own translation.
"""

from django.db import migrations

FAQ = [
    (
        "どのような人材が対象ですか。",
        "企業等の人材を、東京都行政実務研修員として受け入れます。",
        "Who can be sent?",
        "Staff from companies and other organisations are accepted as Tokyo Metropolitan Government "
        "administrative trainees (Tokyo-to Gyōsei Jitsumu Kenshūin).",
    ),
    (
        "研修員の給与は誰が負担しますか。",
        "給与等は、派遣元企業様の負担です。",
        "Who pays the trainee's salary?",
        "Salary and other costs are borne by the sending company.",
    ),
    (
        "受入れ期間はどのくらいですか。",
        "交流受入期間は3年以内です。最長5年まで延長できます。",
        "How long does the exchange last?",
        "The exchange lasts up to 3 years. It can be extended to a maximum of 5 years.",
    ),
    (
        "どのような業務に従事しますか。",
        "都の業務に本格的に従事していただきます。業務内容は個別に調整します。"
        "局ごとの業務内容例もご覧ください。",
        "What kind of work will the trainee do?",
        "Trainees take on real Tokyo Metropolitan Government work in earnest. The duties are arranged "
        "case by case. See also the example duties of each bureau.",
    ),
    (
        "掲載されている業務のほかにも派遣を検討できますか。",
        "この他に派遣を検討されたい業務がありましたら、遠慮なくお問い合わせください。",
        "Can we propose duties other than those listed?",
        "If there are other duties to which you would like to send staff, please do not hesitate to "
        "contact us.",
    ),
    (
        "受入れに制限はありますか。",
        "公正な行政運営の確保のため、受入れには一定の制限があります。\n"
        "・処分・許認可・行政指導に関して所管関係にある課への受入れはできません。\n"
        "・補助金等の交付について関係する場合は、補助金等の交付を行う課への受入れはできません。\n"
        "・契約に関する職務に携わることはできません。",
        "Are there any restrictions on placement?",
        "To keep administration fair, there are some limits on where staff can be placed.\n"
        "- Staff cannot be placed in a section that has jurisdiction over the sending company in "
        "matters of dispositions, licences and permits, or administrative guidance.\n"
        "- Where the sending company is concerned with subsidies or similar grants, staff cannot be "
        "placed in the section that grants them.\n"
        "- Trainees cannot take part in duties related to contracts.",
    ),
    (
        "申し込む前に相談できますか。",
        "お申込みに先立って、受入れ制限にあたらないか等、事前にご相談を受け付けます。"
        "このサイトの事前相談フォームからお申し込みいただけます。",
        "Can we consult you before applying?",
        "Before you apply, we welcome a pre-consultation, for example to check that none of the "
        "placement restrictions applies. You can request one through the pre-consultation form on "
        "this site.",
    ),
    (
        "制度についての問合せ先はどこですか。",
        "東京都総務局人事部人事課（電話：03-5388-2374）までお問い合わせください。"
        "受入れ情報の詳細や最新状況、応募方法は東京都総務局ホームページに掲載しています。",
        "Whom should we contact about the programme?",
        "Please contact the Personnel Section, Personnel Division, Bureau of General Affairs, Tokyo "
        "Metropolitan Government (telephone: 03-5388-2374). The Bureau of General Affairs website "
        "gives details of the programme, the latest situation and how to apply.",
    ),
]

TIMELINE_TEXTS = [
    (
        "timeline_application",
        "東京都総務局ホームページに掲載している応募方法により、お申し込みください。",
        "Apply by the method given on the Bureau of General Affairs website.",
    ),
    (
        "timeline_start",
        "企業等の人材を東京都行政実務研修員として受け入れ、都の業務に本格的に従事していただきます。"
        "業務内容は個別に調整します。",
        "Your staff member is accepted as a Tokyo Metropolitan Government administrative trainee and "
        "takes on real Tokyo Metropolitan Government work in earnest. The duties are arranged case "
        "by case.",
    ),
    (
        "timeline_term",
        "交流受入期間は3年以内です。最長5年まで延長できます。",
        "The exchange lasts up to 3 years. It can be extended to a maximum of 5 years.",
    ),
]


def load(apps, schema_editor):
    FaqEntry = apps.get_model("portal", "FaqEntry")
    for order, (question_ja, answer_ja, question_en, answer_en) in enumerate(FAQ, start=1):
        FaqEntry.objects.create(
            question_ja=question_ja,
            answer_ja=answer_ja,
            question_en=question_en,
            answer_en=answer_en,
            order=order * 10,
        )
    PageText = apps.get_model("portal", "PageText")
    for place, body_ja, body_en in TIMELINE_TEXTS:
        PageText.objects.create(place=place, body_ja=body_ja, body_en=body_en)


def unload(apps, schema_editor):
    apps.get_model("portal", "FaqEntry").objects.filter(
        question_ja__in=[entry[0] for entry in FAQ]
    ).delete()
    apps.get_model("portal", "PageText").objects.filter(
        place__in=[place for place, _ja, _en in TIMELINE_TEXTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_faqentry_timeline_places")]

    operations = [migrations.RunPython(load, unload)]
