from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from core.page_cache import cached_page

from . import passkeys, views
from .forms import PortalPasswordResetForm

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/organisation/<int:pk>/", views.sign_on_start, name="sign_on_start"),
    path("sign-in/organisation/callback/", views.sign_on_callback, name="sign_on_callback"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("account/sessions/", views.session_list, name="session_list"),
    path("account/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("account/sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("account/session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "password/change/done/",
        cached_page(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("two-factor/", views.two_factor_manage, name="two_factor_manage"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/set-up/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/passkeys/", include((passkeys.urlpatterns, "otp_webauthn"))),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("boards/<slug:slug>/", views.board_detail, name="board_detail"),
    path("boards/<slug:slug>/invite/", views.person_invite, name="person_invite"),
    path(
        "boards/<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
]
