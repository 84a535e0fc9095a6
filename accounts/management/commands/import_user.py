"""Restore a prep backup into one person's account, as the "Your data" page does."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.backup import BackupRejected, read_backup, restore_backup
from accounts.models import Profile


class Command(BaseCommand):
    help = (
        "Restore a prep backup (.json, .json.gz or .zip) into a user's account. The "
        "account must be empty unless --merge; the user must exist unless --create."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("file")
        parser.add_argument(
            "--merge",
            action="store_true",
            help="Add to an account that has data, keeping the newer of anything in both.",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the user (with no usable password) when there is none by that name.",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="The file's size limit, instead of the PREP_BACKUP_MAX_BYTES setting.",
        )
        parser.add_argument(
            "--max-unpacked",
            type=int,
            default=None,
            help="The limit on what a .gz or .zip unpacks to, instead of the "
            "PREP_BACKUP_MAX_UNPACKED_BYTES setting.",
        )

    def handle(self, *args, username, file, merge, create, max_bytes, max_unpacked, **options):
        try:
            stream = open(file, "rb")  # noqa: SIM115 (read as the restore goes, closed below)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        with stream:
            try:
                with transaction.atomic():
                    data = read_backup(stream, max_bytes=max_bytes, max_unpacked=max_unpacked)
                    user = self._user(username, create=create)
                    report = restore_backup(user=user, data=data, merge=merge)
            except BackupRejected as error:
                raise CommandError(f"Nothing was restored: {error}") from None
        self.stdout.write(str(report))

    def _user(self, username: str, *, create: bool):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        if not create:
            raise CommandError(f"There is no user called “{username}”; pass --create to make one.")
        user = User(username=username)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        Profile.objects.create(user=user)
        return user
