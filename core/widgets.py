"""Form widgets every page shares: dates typed as people write them (dd/mm/yyyy)."""

from django import forms

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
