from django import forms
from django.contrib import admin

from . import services
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
    check_tags,
)
from .study import services as study_services


def deleted_with_their_owner(admin_options, request) -> bool:
    """Whether a history row may go in this request: not from its own pages (the
    change list's delete action, its delete page), only along with the card,
    topic or person it belongs to, whose delete keeps the counts (Card.delete,
    CardQuerySet.delete; a topic's or a person's day counts go with them)."""
    match = request.resolver_match
    own_pages = f"{admin_options.opts.app_label}_{admin_options.opts.model_name}_"
    return match is not None and not (match.url_name or "").startswith(own_pages)


class HistoryAdmin(admin.ModelAdmin):
    """Rows that record what happened (grades, memory states): shown, never
    edited, added or deleted on their own here. Each is kept in step with
    others by the study code (a review counts on its day, a progress row says
    the prompt is not new), which an edit here would go around."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return deleted_with_their_owner(self, request)


class HistoryInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "slug", "created_at"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "owner__username"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]


class PromptInline(HistoryInline):
    """A card's prompts follow from its kind and text (Card.sync_prompts)."""

    model = Prompt
    fields = readonly_fields = ["ordinal"]


class CardAdminForm(forms.ModelForm):
    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        check_tags(tags)
        return tags


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """Saved and deleted the way the app does it: the prompts follow the card's
    kind and text, a move or a suspension reaches the progress rows and the day
    counts (Card.save), and a deleted card's reviews come off their days
    (Card.delete, CardQuerySet.delete, which the bulk delete action calls)."""

    form = CardAdminForm
    list_display = ["__str__", "topic", "kind", "owner", "suspended", "updated_at"]
    list_filter = ["kind", "suspended", "topic"]
    search_fields = ["front", "back", "starter_key"]
    raw_id_fields = ["owner", "topic"]
    inlines = [PromptInline]

    def save_model(self, request, obj, form, change):
        services.save_card(card=obj)  # the tags follow with the form's save_m2m

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sync_prompts()

    def delete_model(self, request, obj):
        obj.delete()

    def delete_queryset(self, request, queryset):
        queryset.delete()


@admin.register(Progress)
class ProgressAdmin(HistoryAdmin):
    list_display = ["user", "prompt", "state", "due", "stability", "difficulty", "reps"]
    list_filter = ["state"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "prompt", "card"]


@admin.register(ReviewLog)
class ReviewLogAdmin(HistoryAdmin):
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
    # Where the search for new cards starts: the study code's to keep.
    readonly_fields = ["new_from"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        study_services.rewind_new_from(form.instance)  # other topics, or another person


class QuizItemInline(HistoryInline):
    """What was asked and answered; each item's card is its prompt's."""

    model = QuizItem
    fields = readonly_fields = [
        "position",
        "prompt",
        "card",
        "typed_answer",
        "correct",
        "answered_at",
    ]


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
