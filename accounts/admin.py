from django.contrib import admin

from .models import Profile, RestoreJob


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "new_cards_per_day", "timezone"]
    search_fields = ["user__username"]


@admin.register(RestoreJob)
class RestoreJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "user", "status", "size", "merge", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["filename", "user__username"]
    # A job's state is the worker's to write: the admin shows it.
    readonly_fields = ["upload", "report", "failure", "done", "total", "stage", "attempts"]
