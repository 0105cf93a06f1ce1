from django import forms

MAX_QUERY = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the portal",
        max_length=MAX_QUERY,
        help_text="Words from a title, a recommendation, the minutes or a paper's title, "
        "or a reference such as BLC-0012.",
        error_messages={
            "required": "Type a word, a phrase or a reference such as BLC-0012 to search for.",
            "max_length": f"A search can be at most {MAX_QUERY} characters long; "
            "shorten it to the words that matter.",
        },
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
