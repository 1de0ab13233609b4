from django.urls import path

from kollega.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="csv"),
    path("report.docx", views.period_report, name="report"),
    path("annual-report-<int:year>.docx", views.annual_report, name="annual"),
]
