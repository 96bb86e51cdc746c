"""Training, initiative registers and case-review recommendations."""

from django.urls import path

from vawg.learning import views

app_name = "learning"

P = "p/<slug:partnership>/learning/"

urlpatterns = [
    path(P, views.home, name="home"),
    # Training
    path(f"{P}courses/", views.course_list, name="course-list"),
    path(f"{P}courses/add/", views.course_add, name="course-add"),
    path(f"{P}courses/<int:pk>/", views.course_detail, name="course-detail"),
    path(f"{P}courses/<int:pk>/change/", views.course_edit, name="course-edit"),
    path(f"{P}courses/<int:pk>/retire/", views.course_retire, name="course-retire"),
    path(f"{P}courses/<int:pk>/restore/", views.course_restore, name="course-restore"),
    path(f"{P}courses/<int:pk>/sessions/add/", views.session_add, name="session-add"),
    path(f"{P}sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path(f"{P}sessions/<int:pk>/attendance/add/", views.attendance_add, name="attendance-add"),
    path(
        f"{P}sessions/<int:pk>/attendance/import/",
        views.attendance_import,
        name="attendance-import",
    ),
    path(f"{P}attendance/<int:pk>/remove/", views.attendance_remove, name="attendance-remove"),
    path(f"{P}attendance/export.<str:fmt>", views.attendance_export, name="attendance-export"),
    path(f"{P}training-figures/", views.training_figures, name="training-figures"),
    # Registers
    path(f"{P}registers/", views.register_list, name="register-list"),
    path(f"{P}registers/add/", views.register_add, name="register-add"),
    path(f"{P}registers/<int:pk>/", views.register_detail, name="register-detail"),
    path(f"{P}registers/<int:pk>/change/", views.register_edit, name="register-edit"),
    path(f"{P}registers/<int:pk>/retire/", views.register_retire, name="register-retire"),
    path(f"{P}registers/<int:pk>/restore/", views.register_restore, name="register-restore"),
    path(
        f"{P}registers/<int:pk>/participants/add/",
        views.participant_add,
        name="participant-add",
    ),
    path(
        f"{P}registers/<int:pk>/participants/import/",
        views.participant_import,
        name="participant-import",
    ),
    path(f"{P}registers/<int:pk>/export.<str:fmt>", views.register_export, name="register-export"),
    path(f"{P}participants/<int:pk>/change/", views.participant_edit, name="participant-edit"),
    # Case reviews
    path(f"{P}reviews/", views.review_list, name="review-list"),
    path(f"{P}reviews/add/", views.review_add, name="review-add"),
    path(f"{P}reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path(f"{P}reviews/<int:pk>/change/", views.review_edit, name="review-edit"),
    path(f"{P}reviews/<int:pk>/retire/", views.review_retire, name="review-retire"),
    path(f"{P}reviews/<int:pk>/restore/", views.review_restore, name="review-restore"),
    path(
        f"{P}reviews/<int:pk>/recommendations/add/",
        views.recommendation_add,
        name="recommendation-add",
    ),
    path(
        f"{P}reviews/<int:pk>/recommendations/import/",
        views.recommendation_import,
        name="recommendation-import",
    ),
    path(f"{P}recommendations/", views.recommendation_list, name="recommendation-list"),
    path(
        f"{P}recommendations/<int:pk>/change/",
        views.recommendation_edit,
        name="recommendation-edit",
    ),
    path(
        f"{P}recommendations/export.<str:fmt>",
        views.recommendation_export,
        name="recommendation-export",
    ),
    path(f"{P}themes/", views.themes, name="themes"),
]
