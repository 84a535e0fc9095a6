from django.contrib import admin

from .models import (
    Card,
    ImportJob,
    Progress,
    Prompt,
    Quiz,
    QuizItem,
    ReviewLog,
    StudySession,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "slug", "created_at"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "owner__username"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["__str__", "topic", "kind", "owner", "suspended", "updated_at"]
    list_filter = ["kind", "suspended", "topic"]
    search_fields = ["front", "back", "starter_key"]
    raw_id_fields = ["owner", "topic"]
    inlines = [PromptInline]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "prompt", "state", "due", "stability", "difficulty", "reps"]
    list_filter = ["state"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "prompt", "card"]


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ["user", "prompt", "rating", "reviewed_at", "duration_ms", "review_number"]
    list_filter = ["rating"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "card", "prompt", "session"]
    date_hierarchy = "reviewed_at"


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "finished_at"]
    raw_id_fields = ["user"]
    filter_horizontal = ["topics"]


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    raw_id_fields = ["prompt", "card"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "size", "count_as_reviews", "started_at", "finished_at"]
    list_filter = ["mode"]
    raw_id_fields = ["user"]
    filter_horizontal = ["topics"]
    inlines = [QuizItemInline]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "owner", "source", "status", "error_count", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["filename", "owner__username"]
    raw_id_fields = ["owner"]
    # The rows can run to megabytes; the admin shows the outcome, not the payload.
    exclude = ["rows"]
    readonly_fields = [
        *["upload", "errors", "notes", "result", "failure", "started_at", "finished_at"],
        *["done", "total", "stage", "attempts"],
    ]
