from django.urls import path

from . import views

PLAN = "boards/<slug:slug>/forward-plan/"
FORUMS = "boards/<slug:slug>/decision-forums/"

urlpatterns = [
    path(PLAN, views.forward_plan, name="forward_plan"),
    path(PLAN + "bodies/<int:organisation>/", views.forward_plan_body, name="forward_plan_body"),
    path(PLAN + "forward-plan.csv", views.forward_plan_csv, name="forward_plan_csv"),
    path(PLAN + "forward-plan.xlsx", views.forward_plan_xlsx, name="forward_plan_xlsx"),
    path(PLAN + "publish/", views.forward_plan_publish, name="forward_plan_publish"),
    path(PLAN + "published/", views.published_plans, name="published_plans"),
    path(PLAN + "published/<int:pk>/", views.published_plan, name="published_plan"),
    path(PLAN + "referrals/<int:referral>/", views.plan_entry_edit, name="plan_entry_edit"),
    path(PLAN + "calendar/reset/", views.plan_feed_reset, name="plan_feed_reset"),
    path("forward-plan/<str:token>.ics", views.plan_feed, name="plan_feed"),
    path(FORUMS, views.forum_list, name="forum_list"),
    path(FORUMS + "add/", views.forum_edit, name="forum_add"),
    path(FORUMS + "<int:pk>/", views.forum_detail, name="forum_detail"),
    path(FORUMS + "<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path(FORUMS + "<int:pk>/import/", views.forum_import, name="forum_import"),
    path(FORUMS + "<int:pk>/meetings/add/", views.forum_meeting_edit, name="forum_date_add"),
    path(
        FORUMS + "<int:pk>/meetings/<int:meeting>/",
        views.forum_meeting_edit,
        name="forum_date_edit",
    ),
]
