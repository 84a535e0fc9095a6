"""The "Your data" page: download a backup, restore one, and links to the card exports."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from accounts import backup
from accounts.models import RestoreJob

from . import restore_jobs

RECENT_RESTORES = 3


class RestoreForm(forms.Form):
    file = forms.FileField(
        label="Backup file",
        allow_empty_file=True,  # read_backup says "The file is empty." itself
        help_text="A .json, .json.gz or .zip file downloaded from this page.",
    )
    merge = forms.BooleanField(
        required=False,
        label="Merge into the data I already have",
        help_text="Adds what the backup has and your account lacks; where both have the "
        "same thing, the newer one stays. Without it, only an empty account is restored.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the <form>


def _render_page(request, form: RestoreForm, *, status: int = 200):
    restores = list(RestoreJob.objects.filter(user=request.user)[:RECENT_RESTORES])
    return render(
        request,
        "accounts/data.html",
        {
            "form": form,
            "contents": [
                backup.counted(n, name) for name, n in backup.account_contents(request.user).items()
            ],
            "max_size": backup.human_size(backup.max_backup_bytes()),
            "restores": restores,
            "title": "Your data",
        },
        status=status,
    )


@require_safe
def data_page(request):
    return _render_page(request, RestoreForm())


def _backup_response(request, *, compressed: bool) -> StreamingHttpResponse:
    now = timezone.now()
    # The large sections are read as the response is sent (backup_sections).
    sections = backup.backup_sections(user=request.user, now=now)
    chunks = backup.backup_json_chunks(sections)
    name = f"prep-backup-{request.user.get_username()}-{now:%Y-%m-%d}.json"
    if compressed:
        response = StreamingHttpResponse(
            backup.gzip_chunks(chunks), content_type="application/gzip"
        )
        name += ".gz"
    else:
        response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, name)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def backup_download(request):
    return _backup_response(request, compressed=False)


@require_safe
def backup_download_gzip(request):
    return _backup_response(request, compressed=True)


@require_POST
def backup_restore(request):
    form = RestoreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_page(request, form, status=400)
    # Django has already received the upload (the CSRF check parses the body; no
    # view is exempt from it): a file over the limit is refused before it is read.
    limit = backup.max_backup_bytes()
    if form.cleaned_data["file"].size > limit:
        form.add_error(
            "file",
            f"Nothing was restored: the file is larger than the limit of "
            f"{backup.human_size(limit)}.",
        )
        return _render_page(request, form, status=413)
    upload, merge = form.cleaned_data["file"], form.cleaned_data["merge"]
    try:
        data = backup.read_backup(upload)
        if not restore_jobs.restores_inline(data):
            job = restore_jobs.start_restore(user=request.user, upload=upload, merge=merge)
            return redirect(job)
        report = backup.restore_backup(user=request.user, data=data, merge=merge)
    except backup.BackupRejected as error:
        form.add_error(None, f"Nothing was restored: {error}")
        return _render_page(request, form, status=400)
    messages.success(request, str(report))
    return redirect("accounts:data")


@require_safe
def restore_job(request, pk: int):
    """A restore running in the background: its progress (htmx polls the status
    fragment), then how it ended."""
    job = get_object_or_404(RestoreJob.objects.filter(user=request.user), pk=pk)
    context = {"job": job, "title": f"Restore of {job.filename}"}
    if request.htmx:
        return render(request, "accounts/restore_job.html#status", context)
    return render(request, "accounts/restore_job.html", context)
