from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.models import Profile
from interviews.checklists.services import seed_question_bank


class Command(BaseCommand):
    help = "Create (or reset) a demo login for trying prep locally, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="prep-demo-2026")

    def handle(self, *args, username, password, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        Profile.for_user(user)
        seed_question_bank(user=user)
        action = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(
                f"{action} the demo login: username “{username}”, password “{password}”."
            )
        )
