from django.urls import path

from kollega.research import views

app_name = "research"
urlpatterns = [
    path("", views.studies, name="studies"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<int:pk>/", views.study, name="study"),
    path("studies/<int:pk>/edit/", views.study_edit, name="study_edit"),
    path("studies/<int:pk>/participants/new/", views.participant_new, name="participant_new"),
    path("participants/<int:pk>/", views.participant, name="participant"),
    path(
        "participants/<int:pk>/withdraw/", views.participant_withdraw, name="participant_withdraw"
    ),
    path("participants/<int:pk>/interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview, name="interview"),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/recording/", views.recording_upload, name="recording_upload"),
    path("interviews/<int:pk>/recording/delete/", views.recording_delete, name="recording_delete"),
    path("interviews/<int:pk>/transcribe/", views.transcribe, name="transcribe"),
    path("interviews/<int:pk>/transcription/", views.job_status, name="job_status"),
    path("interviews/<int:pk>/transcription/cancel/", views.job_cancel, name="job_cancel"),
    path("interviews/<int:pk>/transcript/", views.transcript, name="transcript"),
    path(
        "interviews/<int:pk>/transcript/import/", views.transcript_import, name="transcript_import"
    ),
    path(
        "interviews/<int:pk>/transcript.<slug:fmt>",
        views.transcript_download,
        name="transcript_download",
    ),
    path("interviews/<int:pk>/identifiers/", views.deidentify, name="deidentify"),
    path(
        "interviews/<int:pk>/identifiers/propose/",
        views.deidentify_propose,
        name="deidentify_propose",
    ),
]
