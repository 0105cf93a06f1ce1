from django.contrib import admin

from .models import Benefit, Opportunity, Recommendation, Referral, ReferralDocument, Review


class NoDeleteMixin:
    """Recorded decisions and their history are kept: nothing here is deleted from the admin."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ("version", "agreed_on", "decision_due_on", "sent_at", "superseded_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Opportunity)
class OpportunityAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "board",
        "theme",
        "lead_organisation",
        "status",
        "rag",
        "next_review_on",
    ]
    list_filter = ["board", "status", "theme", "rag", "lead_organisation"]
    search_fields = ["title", "summary"]
    list_select_related = ["board", "lead_organisation"]
    autocomplete_fields = ["lead_organisation", "owner", "proposed_by"]
    filter_horizontal = ["participating_organisations"]
    readonly_fields = ["status"]
    inlines = [RecommendationInline]


class ReferralInline(admin.TabularInline):
    model = Referral
    extra = 0
    fields = (
        "organisation",
        "status",
        "sent_at",
        "due_on",
        "decided_at",
        "decided_by",
        "decision_reference",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Recommendation)
class RecommendationAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "opportunity",
        "version",
        "agreed_on",
        "decision_due_on",
        "sent_at",
        "superseded_at",
    ]
    list_filter = ["opportunity__board"]
    search_fields = ["opportunity__title", "wording"]
    list_select_related = ["opportunity"]
    readonly_fields = [
        "opportunity",
        "version",
        "recorded_by",
        "recorded_at",
        "sent_at",
        "superseded_at",
    ]
    inlines = [ReferralInline]


@admin.register(Referral)
class ReferralAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "recommendation",
        "organisation",
        "status",
        "due_on",
        "decided_at",
        "decided_by",
    ]
    list_filter = ["status", "organisation"]
    search_fields = ["recommendation__opportunity__title", "decision_reference"]
    list_select_related = ["recommendation__opportunity", "organisation", "decided_by"]
    readonly_fields = [
        "recommendation",
        "organisation",
        "status",
        "sent_at",
        "revision",
        "decided_at",
        "decided_by",
        "recorded_by",
        "executive_body",
        "decision_reference",
        "notes",
    ]


@admin.register(ReferralDocument)
class ReferralDocumentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "original_name",
        "referral",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = [
        "referral__recommendation__opportunity",
        "referral__organisation",
        "uploaded_by",
    ]
    search_fields = ["original_name"]
    readonly_fields = [
        "referral",
        "file",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0
    fields = ("organisation", "kind", "cashable", "non_cashable", "period_end", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Reviews are recorded on the opportunity's page; here they are read."""

    list_display = ["opportunity", "held_on", "rag", "next_review_on", "recorded_by"]
    list_filter = ["rag", "opportunity__board"]
    list_select_related = ["opportunity", "recorded_by"]
    date_hierarchy = "held_on"
    readonly_fields = [
        "opportunity",
        "held_on",
        "conclusion",
        "rag",
        "non_cashable_realised",
        "next_review_on",
        "recorded_by",
        "recorded_at",
    ]
    inlines = [BenefitInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Benefit)
class BenefitAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["opportunity", "organisation", "kind", "cashable", "period_end", "recorded_at"]
    list_filter = ["kind", "organisation"]
    list_select_related = ["opportunity", "organisation"]
    readonly_fields = [
        "opportunity",
        "organisation",
        "kind",
        "cashable",
        "non_cashable",
        "period_end",
        "review",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
