"""The design page (/design/, staff only): every component of the app's design
on one page, with sample content, to check a change of static/css/prep.css
against in both themes. docs/design.md describes the tokens and the rules."""

from datetime import date, timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cards.markdown import render_markdown
from cards.progress import charts

# (token, what it is for), shown as swatches; each is a --prep-* variable.
COLORS = [
    ("brand", "Primary buttons, active items"),
    ("link", "Links, outline buttons"),
    ("text", "Body text"),
    ("muted", "Secondary text, table headers"),
    ("bg", "Page"),
    ("surface", "Navigation, card headers, empty states"),
    ("border", "Borders, rules"),
    ("selected-bg", "Selected rows"),
    ("soft-bg", "Cloze deletions, soft highlights"),
    ("code-bg", "Code blocks"),
    ("danger-text", "Errors, a running-out clock"),
    ("success-text", "Success text"),
    ("grade-again", "Again"),
    ("grade-hard", "Hard"),
    ("grade-good", "Good"),
    ("grade-easy", "Easy"),
    ("chart-1", "Chart series 1"),
    ("chart-2", "Chart series 2, bars"),
    ("chart-3", "Chart series 3"),
]
TYPE_SCALE = [
    ("3xl", "h1", "Page title"),
    ("2xl", "h2", "Section title"),
    ("xl", "h3", "Card title"),
    ("lg", "h4", "Lead text"),
    ("md", "h5", "Body text and small headings"),
    ("sm", "small", "Help, captions, table headers"),
    ("xs", "", "Badges"),
]
SPACING = ["1", "2", "3", "4", "5", "6", "7"]
GRADES = [(1, "Again", "1m"), (2, "Hard", "6m"), (3, "Good", "10m"), (4, "Easy", "4d")]
SAMPLE_CARD = """What does this function return for `n = 5`, and at what cost?

```python
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b  # one step
    return a
```
"""
SAMPLE_ANSWER = """`5`, in $O(n)$ time and $O(1)$ space. Closed form:

$$F_n = \\frac{\\varphi^n - \\psi^n}{\\sqrt 5}$$

| n | F(n) |
|---|------|
| 5 | 5 |
| 10 | 55 |
"""


class SampleForm(forms.Form):
    """A form shown with its errors, as a person sees one after a bad submit."""

    name = forms.CharField(label="Topic name", max_length=20, help_text="At most 20 characters.")
    retention = forms.DecimalField(label="Desired retention", min_value=0.7, max_value=0.97)
    kind = forms.ChoiceField(
        label="Kind", choices=[("basic", "Basic"), ("reversed", "Reversed"), ("cloze", "Cloze")]
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    public = forms.BooleanField(label="Share with the team", required=False)


def sample_charts(today: date) -> dict:
    """A forecast and a year's heatmap drawn from made-up counts."""
    days = [today + timedelta(days=n) for n in range(30)]
    forecast = charts.bar_chart([(day, (n * 7) % 23 + (n % 5) * 3) for n, day in enumerate(days)])
    counts = {today - timedelta(days=n): (n * 13) % 41 for n in range(0, 365, 2)}
    return {"forecast": forecast, "heatmap": charts.heatmap(counts, today)}


def staff_only(view):
    """Refuse (403) anyone signed in who is not staff, whatever the method; the
    login middleware has sent visitors to log in already."""

    @wraps(view)
    def check(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("This page is for staff.")
        return view(request, *args, **kwargs)

    return check


@staff_only
@require_safe
def design(request):
    form = SampleForm({"name": "A name far longer than twenty", "retention": "2", "kind": "cloze"})
    form.is_valid()
    samples = [
        Message(messages.SUCCESS, "Saved. 12 cards moved to Kafka."),
        Message(messages.INFO, "Your import runs in the background."),
        Message(messages.WARNING, "3 cards were left: starter cards keep their topic."),
        Message(messages.ERROR, "That card was deleted."),
    ]
    context = {
        "colors": COLORS,
        "type_scale": TYPE_SCALE,
        "spacing": SPACING,
        "grades": GRADES,
        "form": form,
        "sample_messages": samples,
        "question_html": render_markdown(SAMPLE_CARD),
        "answer_html": render_markdown(SAMPLE_ANSWER),
        **sample_charts(timezone.localdate()),
    }
    return render(request, "design.html", context)
