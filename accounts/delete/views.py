"""Deleting one's account: the page that asks for the password again, and the
page the person lands on afterwards."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from prep_site.jobs import jobs_of

from .forms import DeleteAccountForm
from .services import DeletionRefused, account_delete


@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                account_delete(user=request.user)
            except DeletionRefused as error:
                form.add_error(None, str(error))
                status = 409
            else:
                logout(request)
                return redirect("accounts:deleted")
        else:
            status = 400
    context = {
        "form": form,
        "under_way": jobs_of(request.user, under_way=True),
        "title": "Delete your account",
    }
    return render(request, "accounts/delete.html", context, status=status)


@login_not_required
@require_safe
def account_deleted(request):
    return render(request, "accounts/deleted.html", {"title": "Account deleted"})
