from django.urls import path

from kollega.research import views

app_name = "research"
urlpatterns = [
    path("", views.studies, name="studies"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<int:pk>/", views.study, name="study"),
    path("studies/<int:pk>/edit/", views.study_edit, name="study_edit"),
    path("studies/<int:pk>/participants/new/", views.participant_new, name="participant_new"),
    path("studies/<int:pk>/protocol/", views.protocol, name="protocol"),
    path("studies/<int:pk>/consent/", views.consent_add, name="consent_add"),
    path("studies/<int:pk>/guide/", views.guide_add, name="guide_add"),
    path("guide/<int:pk>/move/", views.guide_move, name="guide_move"),
    path("guide/<int:pk>/remove/", views.guide_remove, name="guide_remove"),
    path("studies/<int:pk>/waves/", views.wave_add, name="wave_add"),
    path("studies/<int:pk>/pool/", views.pool, name="pool"),
    path("studies/<int:pk>/recruitment/", views.recruitment, name="recruitment"),
    path("participants/<int:pk>/", views.participant, name="participant"),
    path(
        "participants/<int:pk>/withdraw/", views.participant_withdraw, name="participant_withdraw"
    ),
    path("participants/<int:pk>/interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview, name="interview"),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/recording/", views.recording_upload, name="recording_upload"),
    path("interviews/<int:pk>/recording/delete/", views.recording_delete, name="recording_delete"),
    path("interviews/<int:pk>/recording/audio", views.recording_audio, name="recording_audio"),
    path("interviews/<int:pk>/transcribe/", views.transcribe, name="transcribe"),
    path("interviews/<int:pk>/transcription/", views.job_status, name="job_status"),
    path("interviews/<int:pk>/transcription/cancel/", views.job_cancel, name="job_cancel"),
    path("interviews/<int:pk>/transcript/", views.transcript, name="transcript"),
    path("interviews/<int:pk>/transcript/read/", views.transcript_read, name="transcript_read"),
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
    path("interviews/<int:pk>/identifiers/add/", views.deidentify_add, name="deidentify_add"),
    path(
        "interviews/<int:pk>/identifiers/progress/",
        views.deidentify_progress,
        name="deidentify_progress",
    ),
]
