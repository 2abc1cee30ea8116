from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import services, tokens
from apps.accounts.forms import DeleteAccountForm, ProfileForm
from apps.accounts.models import Profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            actor=request.user,
            **{
                k: form.cleaned_data[k]
                for k in ("full_name", "email", "srs_algorithm", "desired_retention", "new_cards_per_day")
            },
        )
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    devices = tokens.devices(request.user)
    current = request.session.session_key
    return render(request, "accounts/profile.html", {"form": form, "devices": devices, "current_session": current})


@login_required
@require_POST
def revoke_device(request, pk):
    if not tokens.revoke(actor=request.user, device_id=pk):
        raise Http404("no such device")
    messages.success(request, "Signed out that device: its API tokens stopped working.")
    return redirect(reverse("accounts:profile") + "#api-access")


@login_required
@require_POST
def revoke_devices(request):
    ended = tokens.revoke_all(actor=request.user, keep_session_key=request.session.session_key)
    messages.success(request, f"Signed out {ended} other device{'s' if ended != 1 else ''}.")
    return redirect(reverse("accounts:profile") + "#api-access")


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(actor=user)
        messages.success(request, "Your account and all your notes were deleted.")
        return redirect("account_login")
    return render(request, "accounts/delete.html", {"form": form})
