from django.urls import path

from kollega.service import views

app_name = "service"
urlpatterns = [
    # The help-seeker, without an account.
    path("request/", views.intake, name="intake"),
    path("request/status/<str:token>/", views.status, name="status"),
    path("request/status/<str:token>/message/", views.status_message, name="status_message"),
    path("request/status/<str:token>/cancel/", views.status_cancel, name="status_cancel"),
    path("request/status/<str:token>/delete/", views.status_delete, name="status_delete"),
    path("request/status/<str:token>/feedback/", views.feedback, name="feedback"),
    path("request/status/<str:token>/choose/", views.status_choose, name="status_choose"),
    path(
        "request/status/<str:token>/calendar/<slug:kind>/<int:pk>.ics",
        views.status_calendar,
        name="status_calendar",
    ),
    # Someone worried about a doctor, without an account.
    path("concern/", views.concern_new, name="concern_new"),
    path("concern/status/<str:token>/", views.concern_status, name="concern_status"),
    # Concerns, for coordinators and the counsellor a concern is with.
    path("service/concerns/", views.concerns, name="concerns"),
    path("service/concerns/<int:pk>/", views.concern_detail, name="concern"),
    path("service/concerns/<int:pk>/assign/", views.concern_assign, name="concern_assign"),
    path(
        "service/concerns/<int:pk>/withdraw/",
        views.concern_withdraw,
        name="concern_withdraw",
    ),
    path("service/concerns/<int:pk>/take/", views.concern_take, name="concern_take"),
    path("service/concerns/<int:pk>/decline/", views.concern_decline, name="concern_decline"),
    path(
        "service/concerns/<int:pk>/conclude/",
        views.concern_conclude,
        name="concern_conclude",
    ),
    # Coordinators.
    path("service/queue/", views.queue, name="queue"),
    path("service/requests/new/", views.new_request, name="new_request"),
    path("service/requests/new/link/", views.phone_link, name="phone_link"),
    path("service/cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("service/cases/<int:pk>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("service/cases/<int:pk>/grant/", views.case_grant, name="case_grant"),
    path("service/cases/<int:pk>/enrol/", views.case_enrol, name="case_enrol"),
    path("service/cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("service/cases/<int:pk>/acknowledge/", views.case_acknowledge, name="case_acknowledge"),
    path("service/cases/<int:pk>/write/", views.case_write, name="case_write"),
    path("service/settings/", views.service_settings, name="settings"),
    path("service/counsellors/", views.counsellors, name="counsellors"),
    path("service/counsellors/new/", views.counsellor_edit, name="counsellor_new"),
    path("service/counsellors/<int:pk>/", views.counsellor_edit, name="counsellor_edit"),
    path("service/offerings/", views.offerings, name="offerings"),
    path("service/offerings/new/", views.offering_edit, name="offering_new"),
    path("service/offerings/<int:pk>/", views.offering_edit, name="offering"),
    path("service/enrolments/<int:pk>/remove/", views.enrolment_remove, name="enrolment_remove"),
    path("service/directory/", views.directory, name="directory"),
    path("service/directory/new/", views.directory_edit, name="directory_new"),
    path("service/directory/<int:pk>/", views.directory_edit, name="directory_entry"),
    path("service/directory/<int:pk>/delete/", views.directory_delete, name="directory_delete"),
    path("service/feedback/", views.feedback_summary, name="feedback_summary"),
    # Counsellors (and coordinators, for the case page).
    path("service/cases/<int:pk>/", views.case_detail, name="case"),
    path("service/my-cases/", views.my_cases, name="my_cases"),
    path("service/my-profile/", views.my_profile, name="my_profile"),
    path("service/cases/<int:pk>/accept/", views.case_accept, name="case_accept"),
    path("service/cases/<int:pk>/decline/", views.case_decline, name="case_decline"),
    path("service/cases/<int:pk>/hand-back/", views.case_hand_back, name="case_hand_back"),
    path("service/cases/<int:pk>/message/", views.case_message, name="case_message"),
    path("service/cases/<int:pk>/conversation/", views.case_conversation, name="case_conversation"),
    path("service/cases/<int:pk>/appointment/", views.case_appointment, name="case_appointment"),
    path("service/cases/<int:pk>/referral/", views.case_referral, name="case_referral"),
    path(
        "service/cases/<int:pk>/appointment/<int:item>/cancel/",
        views.case_appointment_cancel,
        name="case_appointment_cancel",
    ),
    path("service/cases/<int:pk>/close/", views.case_close, name="case_close"),
    path(
        "service/cases/<int:pk>/calendar/<slug:kind>/<int:item>.ics",
        views.case_calendar,
        name="case_calendar",
    ),
]
