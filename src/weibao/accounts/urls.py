from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from weibao.accounts import forms, security_views, views
from weibao.accounts.ratelimits import login_rate_limited, password_reset_rate_limited

app_name = "accounts"
urlpatterns = [
    path("login/", login_rate_limited(security_views.SignInView.as_view()), name="login"),
    path("login/code/", security_views.login_totp, name="login_totp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            form_class=forms.PasswordChangeForm,
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        password_reset_rate_limited(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                form_class=forms.PasswordResetForm,
                email_template_name="accounts/email/password_reset.txt",
                subject_template_name="accounts/email/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=forms.SetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/new/", views.token_create_view, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("two-factor/", security_views.totp_enrol, name="totp_enrol"),
    path("two-factor/disable/", security_views.totp_disable_view, name="totp_disable"),
    path("login-history/", security_views.login_history, name="login_history"),
    path("security/", security_views.security_user_list, name="security_user_list"),
    path("security/users/<int:pk>/unlock/", security_views.user_unlock_view, name="user_unlock"),
    path("security/users/<int:pk>/two-factor-reset/", security_views.user_totp_reset_view, name="user_totp_reset"),
    path("security/locks/<int:pk>/release/", security_views.lockout_release_view, name="lockout_release"),
]
