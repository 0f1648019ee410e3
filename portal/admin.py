"""The clinician admin site: password login, plus a TOTP code for staff who set up a device.

- A staff member with a confirmed TOTP device (django-otp) must give its current code at login.
- With ADMIN_REQUIRE_OTP (env DJANGO_ADMIN_REQUIRE_OTP=1) every staff member must, so staff
  without a device cannot use the admin until someone adds one for them.
- Otherwise staff without a device log in with their password alone.
Staff add a device under "TOTP devices" in the admin and scan its QR code in an authenticator app.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.models import Device


def otp_required_for(user) -> bool:
    return settings.ADMIN_REQUIRE_OTP or user_has_device(user, confirmed=True)


class PortalAdminLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the 6-digit code from your authenticator app."),
        "invalid_token": _("That code is not right. Codes change every 30 seconds: try again."),
        "device_required": _(
            "Two-factor sign-in is required, and your account has no authenticator set up. "
            "Ask an administrator to add one."
        ),
    }

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        help_text=_("Only if you have set up two-factor sign-in."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and otp_required_for(user):
            if not user_has_device(user, confirmed=True):
                raise forms.ValidationError(
                    self.otp_error_messages["device_required"], code="device_required"
                )
            self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            # One device (the usual case): use it, so staff need not pick it from a list.
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = Device.from_persistent_id(devices[0].persistent_id, for_verify=True)
        return device

    def _update_form(self, user):
        """django-otp fills a device <select> here; ours picks the device itself."""


class PortalAdminSite(AdminSite):
    site_header = _("Patient information admin")
    site_title = _("Patient information admin")
    index_title = _("Content")
    login_form = PortalAdminLoginForm
    login_template = "admin/portal_login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if otp_required_for(user):
            return bool(getattr(user, "is_verified", lambda: False)())
        return True
