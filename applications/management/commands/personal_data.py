"""Answer an applicant's disclosure or deletion request: export or erase by e-mail address."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from applications.privacy import erase_personal_data, export_personal_data
from staffauth.roles import sees_every_request


class Command(BaseCommand):
    help = (
        "申込者のメールアドレスで、保有する個人情報を JSON で書き出す（開示の求め）か、"
        "匿名化する（消去の求め）。--user に人事課の職員のユーザー名を指定します。"
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", metavar="EMAIL", help="書き出すメールアドレス")
        action.add_argument("--erase", metavar="EMAIL", help="匿名化するメールアドレス")
        parser.add_argument(
            "--user", required=True, help="実施する人事課の職員のユーザー名（記録に残ります）"
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        # The record of who exported or erased must name an HR administrator.
        if user is None or not sees_every_request(user):
            raise CommandError(f"{options['user']} は人事課の職員として登録されていません。")
        if options["export"]:
            data = export_personal_data(email=options["export"], user=user)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            references = erase_personal_data(email=options["erase"], user=user)
            self.stdout.write(f"{len(references)} 件を匿名化しました。")
            for reference in references:
                self.stdout.write(f"  {reference}")
