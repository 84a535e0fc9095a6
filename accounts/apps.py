from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and settings"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .person import person_changed

        user_model = get_user_model()
        post_save.connect(person_changed, sender=user_model, dispatch_uid="person_saved")
        post_delete.connect(person_changed, sender=user_model, dispatch_uid="person_deleted")
