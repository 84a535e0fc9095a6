from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews"

    def ready(self):
        from cards.balancing import light_days

        from .services import interview_days

        light_days.connect(interview_days, dispatch_uid="interview_days")
