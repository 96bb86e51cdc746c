from django.urls import path

from vawg.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/sign-in/", views.sign_in, name="sign-in"),
    path("account/sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/remove/", views.two_factor_remove, name="two-factor-remove"),
    path("account/set-password/<uidb64>/<token>/", views.set_password, name="set-password"),
    path("account/invitation/<str:token>/", views.invitation, name="invitation"),
    path(
        "account/invitation/<str:token>/accept/",
        views.invitation_accept,
        name="invitation-accept",
    ),
    path("p/<slug:partnership>/members/", views.member_list, name="member-list"),
    path("p/<slug:partnership>/members/add/", views.member_add, name="member-add"),
    path("p/<slug:partnership>/members/review/", views.access_review, name="access-review"),
    path("p/<slug:partnership>/members/approvals/", views.approval_list, name="approval-list"),
    path("p/<slug:partnership>/members/<int:pk>/", views.member_edit, name="member-edit"),
    path("p/<slug:partnership>/members/<int:pk>/end/", views.member_end, name="member-end"),
    path(
        "p/<slug:partnership>/members/<int:pk>/approve/",
        views.member_approve,
        name="member-approve",
    ),
    path(
        "p/<slug:partnership>/members/<int:pk>/refuse/",
        views.member_refuse,
        name="member-refuse",
    ),
    path(
        "p/<slug:partnership>/members/invitations/<int:pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation-withdraw",
    ),
]
