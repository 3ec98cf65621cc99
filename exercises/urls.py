from django.urls import path

from exercises import views

app_name = "exercises"

urlpatterns = [
    path("", views.exercise_list, name="list"),
    path("new/", views.exercise_create, name="create"),
    path("<uuid:code>/", views.exercise_detail, name="detail"),
    path("<uuid:code>/edit/", views.exercise_edit, name="edit"),
    path("<uuid:code>/copy/", views.exercise_copy, name="copy"),
    path("<uuid:code>/archive/", views.exercise_archive, name="archive"),
    path("<uuid:code>/restore/", views.exercise_restore, name="restore"),
    path("<uuid:code>/pictures/<str:position>/", views.exercise_picture, name="picture"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<uuid:code>/", views.template_detail, name="template_detail"),
    path("templates/<uuid:code>/edit/", views.template_edit, name="template_edit"),
    path("templates/<uuid:code>/copy/", views.template_copy, name="template_copy"),
    path("templates/<uuid:code>/archive/", views.template_archive, name="template_archive"),
    path("templates/<uuid:code>/items/", views.template_items, name="template_items"),
    path("templates/<uuid:code>/items/picker/", views.template_picker, name="template_picker"),
    path("templates/<uuid:code>/items/add/", views.template_item_add, name="template_item_add"),
    path("templates/<uuid:code>/items/order/", views.template_items_order, name="template_items_order"),
    path("templates/<uuid:code>/items/restore/", views.template_item_restore, name="template_item_restore"),
    path("templates/items/<uuid:code>/", views.template_item_edit, name="template_item_edit"),
    path("templates/items/<uuid:code>/move/", views.template_item_move, name="template_item_move"),
    path("templates/items/<uuid:code>/remove/", views.template_item_remove, name="template_item_remove"),
]
