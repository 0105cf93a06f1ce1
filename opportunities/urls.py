from django.urls import path

from . import (
    decision_views,
    exports,
    milestone_views,
    not_pursued_views,
    referral_views,
    review_views,
    views,
)

urlpatterns = [
    path("register/", views.register_list, name="register_list"),
    path("register/export.csv", exports.register_csv, name="register_export_csv"),
    path("register/export.xlsx", exports.register_xlsx, name="register_export_xlsx"),
    path("register/propose/", views.opportunity_propose, name="opportunity_propose"),
    path("register/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("register/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("register/<int:pk>/status/", views.opportunity_transition, name="opportunity_transition"),
    path(
        "register/<int:pk>/recommendations/new/",
        views.recommendation_new,
        name="recommendation_new",
    ),
    path("recommendations/<int:pk>/send/", views.recommendation_send, name="recommendation_send"),
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/documents/<int:pk>/", views.referral_document, name="referral_document"),
    path("referrals/<int:pk>/record/", referral_views.referral_record, name="referral_record"),
    path("referrals/<int:pk>/questions/", referral_views.referral_ask, name="referral_ask"),
    path("referrals/<int:pk>/answers/", referral_views.referral_answer, name="referral_answer"),
    path(
        "referrals/<int:pk>/on-behalf/",
        referral_views.referral_on_behalf,
        name="referral_on_behalf",
    ),
    path("referrals/<int:pk>/dispute/", referral_views.referral_dispute, name="referral_dispute"),
    path("register/<int:pk>/resume/", views.opportunity_resume, name="opportunity_resume"),
    path(
        "boards/<slug:slug>/not-pursued/",
        not_pursued_views.not_pursued_list,
        name="not_pursued",
    ),
    path(
        "boards/<slug:slug>/not-pursued/export.csv",
        not_pursued_views.not_pursued_csv,
        name="not_pursued_export_csv",
    ),
    path(
        "recommendations/<int:pk>/papers/",
        decision_views.recommendation_papers,
        name="recommendation_papers",
    ),
    path(
        "recommendations/papers/<int:pk>/",
        decision_views.recommendation_paper,
        name="recommendation_paper",
    ),
    path("referrals/<int:pk>/notice/", decision_views.decision_notice, name="decision_notice"),
    path(
        "referrals/<int:pk>/notice.pdf",
        decision_views.decision_notice_pdf,
        name="decision_notice_pdf",
    ),
    path(
        "referrals/<int:pk>/notice/build/",
        decision_views.decision_notice_build,
        name="decision_notice_build",
    ),
    path("boards/<slug:slug>/decisions/", views.decision_matrix, name="decision_matrix"),
    path(
        "boards/<slug:slug>/decisions/export.csv",
        exports.decision_matrix_csv,
        name="decision_matrix_export_csv",
    ),
    path(
        "boards/<slug:slug>/decisions/export.xlsx",
        exports.decision_matrix_xlsx,
        name="decision_matrix_export_xlsx",
    ),
    path("register/<int:pk>/milestones/", milestone_views.milestone_list, name="milestone_list"),
    path(
        "register/<int:pk>/milestones/<int:milestone>/",
        milestone_views.milestone_edit,
        name="milestone_edit",
    ),
    path("register/<int:pk>/reviews/new/", review_views.review_new, name="review_new"),
    path(
        "register/<int:pk>/benefits/estimates/",
        review_views.benefit_estimates,
        name="benefit_estimates",
    ),
    path("boards/<slug:slug>/reviews/", review_views.board_reviews, name="board_reviews"),
]
