from django import forms

from boards.models import Board

SUMMARY_LIMIT = 2000


class PublicPagesForm(forms.ModelForm):
    """The chair's or secretariat's switch for the board's public pages, and their summary."""

    public_summary = forms.CharField(
        label="Summary for the public",
        required=False,
        max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences for residents and the press, shown above the terms of "
        f"reference. At most {SUMMARY_LIMIT} characters.",
    )

    class Meta:
        model = Board
        fields = ["public_pages_enabled", "public_not_pursued", "public_summary"]
        labels = {
            "public_pages_enabled": "Publish the board's public pages",
            "public_not_pursued": "Also publish what the board considered and did not pursue",
        }
        help_texts = {
            "public_pages_enabled": "Anyone, without signing in, sees the board's members, "
            "meeting dates, the public agenda and approved minutes (never confidential items) "
            "and the register of approved collaborations."
        }

    def clean_public_summary(self) -> str:
        return self.cleaned_data["public_summary"].strip()
