"""Importing cards from a file: upload, preview, confirm, and the progress of the
import. The views glue HTTP to cards/imports/services.py; workers do the rest."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from ..models import MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_PER_PERSON, ImportJob
from . import services
from .forms import ImportConfirmForm, ImportUploadForm
from .planning import preview_import
from .rows import ImportRejected

RECENT_JOBS = 5


def _own_jobs(request):
    return ImportJob.objects.filter(owner=request.user)


@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request):
    # Django has streamed the upload to a temporary file (past 2.5 MB) before the
    # view runs: the CSRF check reads the body first, and nothing here is exempt
    # from it. The form refuses a file over the limit; the page's script refuses
    # it before it is sent.
    limits = {
        "max_bytes": settings.PREP_IMPORT_MAX_BYTES,
        "package_max_bytes": settings.PREP_IMPORT_PACKAGE_MAX_BYTES,
    }
    too_many = None  # the refusal, with links to the imports it counts
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, user=request.user, **limits)
        if form.is_valid():
            try:
                job = services.receive_upload(
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    default_topic=form.cleaned_data["default_topic"],
                    reading=form.cleaned_data["reading"],
                )
            except services.TooManyPending as error:
                too_many = error
            except ImportRejected as error:
                form.add_error(None, str(error))
            else:
                if request.htmx:
                    return HttpResponseClientRedirect(job.get_absolute_url())
                return redirect(job)
    else:
        form = ImportUploadForm(user=request.user, **limits)
    context = {"form": form, "too_many": too_many}
    if request.htmx:
        return render(request, "cards/import_upload.html#upload-form", context)
    recent = list(_own_jobs(request).defer("rows", "errors")[:RECENT_JOBS])
    return render(
        request,
        "cards/import_upload.html",
        {
            **context,
            "recent": recent,
            **limits,
            "image_max_bytes": MAX_MEDIA_BYTES,
            "images_max_bytes": MAX_MEDIA_BYTES_PER_PERSON,
            "preview_hours": settings.PREP_IMPORT_PREVIEW_HOURS,
            "max_pending": settings.PREP_IMPORT_MAX_PENDING,
        },
    )


@require_safe
def import_job(request, pk: int):
    """While a worker reads the file, its progress; then the preview, waiting for
    confirmation; then the progress of the import and its result. htmx polls the
    progress as a fragment; it only reads."""
    job = get_object_or_404(_own_jobs(request).defer("rows"), pk=pk)
    context = {"job": job}
    if request.htmx:
        if job.status == ImportJob.Status.PREVIEW:
            # The file was read, or the import stopped and is back to its preview.
            return HttpResponseClientRedirect(job.get_absolute_url())
        return render(request, "cards/import_job.html#status", context)
    if job.status == ImportJob.Status.PREVIEW:
        context["preview"] = preview_import(job=job)
        context["confirm_form"] = ImportConfirmForm()
    return render(request, "cards/import_job.html", context)


@require_POST
def import_confirm(request, pk: int):
    job = get_object_or_404(_own_jobs(request).defer("rows"), pk=pk)
    form = ImportConfirmForm(request.POST)
    # An invalid choice is refused, with its message, by start_import.
    on_duplicate = form.cleaned_data["on_duplicate"] if form.is_valid() else ""
    try:
        services.start_import(job=job, on_duplicate=on_duplicate)
    except ImportRejected as error:
        messages.warning(request, str(error))
        if request.htmx:
            return HttpResponseClientRedirect(job.get_absolute_url())
        return redirect(job)
    if request.htmx:
        job.refresh_from_db()
        return render(request, "cards/import_job.html#status", {"job": job})
    return redirect(job)


@require_POST
def import_cancel(request, pk: int):
    job = get_object_or_404(
        _own_jobs(request).filter(status=ImportJob.Status.PREVIEW).defer("rows"), pk=pk
    )
    job.delete()
    messages.info(request, f"The import of “{job.filename}” was cancelled; nothing was written.")
    return redirect("cards:import")
