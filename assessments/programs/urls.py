"""Programs and their handouts under /programs/ (namespace "programs"), and emailing handouts
under /deliveries/ (namespace "deliveries"); ``runphys/urls.py`` mounts the two lists."""

from django.urls import path

from assessments.programs import athlete_views, views

program_patterns = [
    path("", views.program_list, name="list"),
    path("from-assessment/<uuid:assessment_code>/", views.program_create, name="create"),
    path("for-athlete/<uuid:athlete_code>/", views.program_new, name="new"),
    path("<uuid:code>/", views.program_detail, name="detail"),
    path("<uuid:code>/details/", views.program_edit, name="edit"),
    path("<uuid:code>/issue/", views.program_issue, name="issue"),
    path("<uuid:code>/revise/", views.program_revise, name="revise"),
    path("<uuid:code>/discard/", views.program_discard, name="discard"),
    path("<uuid:code>/link/revoke/", views.link_revoke, name="link_revoke"),
    path("<uuid:code>/link/fresh/", views.link_fresh, name="link_fresh"),
    path("<uuid:code>/items/", views.items, name="items"),
    path("<uuid:code>/items/picker/", views.picker, name="picker"),
    path("<uuid:code>/items/order/", views.items_order, name="items_order"),
    path("<uuid:code>/items/restore/", views.item_restore, name="item_restore"),
    path("<uuid:code>/items/add/", views.item_add, name="item_add"),
    path("<uuid:code>/items/add-template/", views.item_add_template, name="item_add_template"),
    path("items/<uuid:code>/", views.item_edit, name="item_edit"),
    path("items/<uuid:code>/move/", views.item_move, name="item_move"),
    path("items/<uuid:code>/remove/", views.item_remove, name="item_remove"),
    path("versions/<uuid:code>/save-as-template/", views.save_as_template, name="save_as_template"),
    path("versions/<uuid:code>/preview/", views.handout_preview, name="handout_preview"),
    path("versions/<uuid:code>/handout.pdf", views.handout_pdf, name="handout_pdf"),
    path("versions/<uuid:code>/handout/", views.handout_state, name="handout_state"),
    path("versions/<uuid:code>/handout/retry/", views.handout_retry, name="handout_retry"),
]

delivery_patterns = [
    path("versions/<uuid:code>/send/", views.send_handout, name="send"),
    path("<uuid:code>/status/", views.delivery_status, name="status"),
    path("message/", views.handout_email_settings, name="message"),
]

# The athlete's own view through their private link (namespace "athlete"; no login).
athlete_patterns = [
    path("<str:token>/", athlete_views.athlete_program, name="program"),
    path("<str:token>/log/", athlete_views.athlete_log, name="log"),
    path("<str:token>/comment/", athlete_views.athlete_comment, name="comment"),
    path("<str:token>/logo/", athlete_views.athlete_logo, name="logo"),
    path("<str:token>/pictures/<uuid:item_code>/<str:position>/", athlete_views.athlete_picture, name="picture"),
]
