"""The site policy page: a new place for running text, and its first text.

Lines starting with ■ are the page's headings (portal.views.headed_sections), so HR
can add or reword a section in admin. It claims only what the site does: no
JavaScript, cookies only for the shortlist and the form in progress, no analytics.
"""

from django.db import migrations, models

SITE_POLICY_JA = """■このサイトについて
このサイトは、東京都総務局人事部人事課が運営する、民間企業等からの人材受入れ（交流受入）の案内サイトです。

■著作権
このサイトに掲載している文章の著作権は、東京都に帰属します。業務内容例のデータは、オープンデータのページに記載した条件（CC BY 4.0）で自由に利用できます。それ以外の掲載内容は、私的使用や引用など著作権法で認められた場合を除き、無断で複製・転用することはできません。

■リンク
このサイトへのリンクは自由です。ご連絡は要りません。ただし、このサイトのページを自らのページの一部であるかのように表示するリンクはお断りします。ページのアドレス（URL）は、予告なく変更することがあります。

■免責事項
掲載内容には細心の注意を払っていますが、その正確性を保証するものではありません。このサイトの利用によって生じた損害について、東京都は責任を負いません。掲載内容は、予告なく変更または削除することがあります。

■Cookie の利用
このサイトは、候補リストと、事前相談フォームに入力中の内容を一時的に保持するためにだけ、Cookie を使います。アクセス解析や広告のための Cookie は使いません。事前相談フォームでお預かりする個人情報の取扱いは、「個人情報の取扱いについて」のページのとおりです。

■JavaScript
このサイトは JavaScript を使っていません。JavaScript を無効にしたブラウザでも、すべての機能を利用できます。"""

SITE_POLICY_EN = """■About this site
This site is run by the Personnel Section, Personnel Division, Bureau of General Affairs, Tokyo Metropolitan Government, and presents the personnel exchange through which the Tokyo Metropolitan Government accepts staff from private companies and other organisations.

■Copyright
The copyright in the texts on this site belongs to the Tokyo Metropolitan Government. The data of the example duties may be used freely under the terms given on the open data page (CC BY 4.0). Other content may not be copied or reused without permission, except where the Copyright Act allows it, such as for private use or quotation.

■Links
You may link to this site freely; there is no need to tell us. Links that show pages of this site as if they were part of your own pages are not permitted. Page addresses (URLs) may change without notice.

■Disclaimer
We take great care over the content of this site but cannot guarantee that it is accurate. The Tokyo Metropolitan Government accepts no liability for any loss arising from the use of this site. Content may be changed or removed without notice.

■Cookies
This site uses cookies only to keep your shortlist and the answers you are typing into the pre-consultation form for a while. It uses no cookies for analytics or advertising. Personal information given in the pre-consultation form is handled as described on the page "Handling of personal information".

■JavaScript
This site uses no JavaScript. Every feature works in a browser with JavaScript turned off."""


def load(apps, schema_editor):
    apps.get_model("portal", "PageText").objects.create(
        place="site_policy", body_ja=SITE_POLICY_JA, body_en=SITE_POLICY_EN
    )


def unload(apps, schema_editor):
    apps.get_model("portal", "PageText").objects.filter(place="site_policy").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_history_names"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pagetext",
            name="pagetext_place_known",
        ),
        migrations.AlterField(
            model_name="historicalpagetext",
            name="place",
            field=models.CharField(
                choices=[
                    ("introduction", "トップページの導入文"),
                    ("benefits_lead", "「人事交流のメリット」の見出し文"),
                    ("restrictions_lead", "受入れ制限の前置き"),
                    ("pre_consultation", "事前相談の案内"),
                    ("other_duties", "掲載以外の業務の相談の案内"),
                    ("details_online", "総務局ホームページの案内"),
                    ("timeline_application", "受入れまでの流れ：応募（お申込み）の説明"),
                    ("timeline_start", "受入れまでの流れ：受入れ開始の説明"),
                    ("timeline_term", "受入れまでの流れ：交流受入期間の説明"),
                    ("site_policy", "サイトポリシー（「■」で始まる行が見出し）"),
                ],
                db_index=True,
                help_text="この文章がサイトのどこに表示されるか。各場所に 1 つだけです。",
                max_length=40,
                verbose_name="表示場所",
            ),
        ),
        migrations.AlterField(
            model_name="pagetext",
            name="place",
            field=models.CharField(
                choices=[
                    ("introduction", "トップページの導入文"),
                    ("benefits_lead", "「人事交流のメリット」の見出し文"),
                    ("restrictions_lead", "受入れ制限の前置き"),
                    ("pre_consultation", "事前相談の案内"),
                    ("other_duties", "掲載以外の業務の相談の案内"),
                    ("details_online", "総務局ホームページの案内"),
                    ("timeline_application", "受入れまでの流れ：応募（お申込み）の説明"),
                    ("timeline_start", "受入れまでの流れ：受入れ開始の説明"),
                    ("timeline_term", "受入れまでの流れ：交流受入期間の説明"),
                    ("site_policy", "サイトポリシー（「■」で始まる行が見出し）"),
                ],
                help_text="この文章がサイトのどこに表示されるか。各場所に 1 つだけです。",
                max_length=40,
                unique=True,
                verbose_name="表示場所",
            ),
        ),
        migrations.AddConstraint(
            model_name="pagetext",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "place__in",
                        [
                            "introduction",
                            "benefits_lead",
                            "restrictions_lead",
                            "pre_consultation",
                            "other_duties",
                            "details_online",
                            "timeline_application",
                            "timeline_start",
                            "timeline_term",
                            "site_policy",
                        ],
                    )
                ),
                name="pagetext_place_known",
            ),
        ),
        migrations.RunPython(load, unload),
    ]
