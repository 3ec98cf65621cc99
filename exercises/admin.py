"""Django admin for superusers. Clinics manage their own exercises and templates in the app."""

from django.contrib import admin

from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "region", "family", "is_stretch", "archived_at"]
    list_filter = ["region", "family", "is_stretch", ("clinic", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    readonly_fields = ["code", "illustration", "copied_from", "created_by", "created_at", "updated_at"]
    raw_id_fields = ["progression", "regression"]


class ProgramTemplateItemInline(admin.TabularInline):
    model = ProgramTemplateItem
    extra = 0
    raw_id_fields = ["exercise"]


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "archived_at"]
    search_fields = ["name"]
    readonly_fields = ["code", "copied_from", "created_by", "created_at", "updated_at"]
    inlines = [ProgramTemplateItemInline]
