from django.urls import path

from kollega.peers import views

app_name = "peers"
urlpatterns = [
    # Public: no sign-in.
    path("", views.public_list, name="list"),
    # Counsellors.
    path("my-listing/", views.my_listing, name="my_listing"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    # County leaders and coordinators.
    path("counties/", views.counties, name="counties"),
    path("counties/<slug:county>/", views.county, name="county"),
    path(
        "counties/<slug:county>/listings/<int:pk>/approve/",
        views.listing_approve,
        name="listing_approve",
    ),
    path("counties/<slug:county>/settle/<int:pk>/", views.settle, name="settle"),
    path("counties/<slug:county>/settlements/<int:pk>/", views.settlement, name="settlement"),
    path(
        "counties/<slug:county>/settlements/<int:pk>.csv",
        views.settlement_csv,
        name="settlement_csv",
    ),
    path(
        "counties/<slug:county>/settlements/<int:pk>.docx",
        views.settlement_docx,
        name="settlement_docx",
    ),
    path("counties/<slug:county>/statistics/", views.county_statistics, name="county_statistics"),
]
