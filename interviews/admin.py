from django.contrib import admin

from .models import (
    ChecklistItem,
    Interview,
    InterviewerQuestion,
    MockAnswer,
    MockSession,
    QuestionToAsk,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["company", "role", "user", "scheduled_at", "stage", "status"]
    list_filter = ["stage", "status"]
    search_fields = ["company", "role", "user__username"]
    raw_id_fields = ["user"]
    filter_horizontal = ["topics"]
    date_hierarchy = "scheduled_at"
    inlines = [ChecklistItemInline]


@admin.register(QuestionToAsk)
class QuestionToAskAdmin(admin.ModelAdmin):
    list_display = ["text", "category", "user"]
    list_filter = ["category"]
    search_fields = ["text", "user__username"]
    raw_id_fields = ["user"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "interview", "position", "asked"]
    list_filter = ["asked"]
    raw_id_fields = ["interview", "question"]


@admin.register(InterviewerQuestion)
class InterviewerQuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "area", "star", "owner"]
    list_filter = ["area", "star"]
    search_fields = ["text", "starter_key"]
    raw_id_fields = ["owner"]


class MockAnswerInline(admin.TabularInline):
    model = MockAnswer
    extra = 0
    raw_id_fields = ["question"]
    # A recording comes from the answering page, checked there; the admin shows it.
    readonly_fields = ["audio", "audio_seconds"]


@admin.register(MockSession)
class MockSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "finished_at", "time_limit_seconds"]
    raw_id_fields = ["user", "interview"]
    inlines = [MockAnswerInline]


@admin.register(MockAnswer)
class MockAnswerAdmin(admin.ModelAdmin):
    list_display = ["session", "question", "position", "score", "timed_out"]
    raw_id_fields = ["session", "question"]
    readonly_fields = ["audio", "audio_seconds"]
