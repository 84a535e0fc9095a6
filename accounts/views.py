from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from interviews.checklists.services import seed_question_bank

from . import daily_email
from .forms import ProfileForm, SignupForm
from .middleware import remember_timezone
from .models import Profile


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        Profile.objects.create(user=user, timezone=form.cleaned_data["timezone"])
        seed_question_bank(user=user)
        login(request, user, backend="accounts.person.PersonBackend")
        messages.success(request, f"Welcome, {user.username}!")
        return redirect("accounts:welcome")
    return render(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request):
    profile = Profile.for_user(request.user)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        remember_timezone(request, profile.timezone)
        messages.success(request, "Settings saved.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form, "title": "Settings"})


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a CSRF token:
# the signed token in the address is what proves the request.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    user_id = daily_email.user_of_token(token)
    if user_id is None:
        return render(request, "accounts/unsubscribe_bad.html", status=400)
    if request.method == "POST":
        daily_email.unsubscribe(user_id)
        return render(request, "accounts/unsubscribe.html", {"done": True})
    return render(request, "accounts/unsubscribe.html", {"done": False})
