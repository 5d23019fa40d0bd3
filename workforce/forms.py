from django import forms

from .datasets import DATASET_CHOICES
from .readers import max_upload_bytes


class UploadForm(forms.Form):
    dataset = forms.ChoiceField(
        label="Dataset",
        choices=DATASET_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which dataset the file holds"},
    )
    file = forms.FileField(
        label="File",
        help_text="A CSV (UTF-8, comma or semicolon separated) or Excel workbook (.xlsx, first "
        "sheet).",
        error_messages={
            "required": "Choose a file to upload",
            "empty": "The file is empty",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text[:-1] + f", up to {limit} MB."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit // (1024 * 1024)} MB. Split it into smaller "
                "files (for example one per month) and upload each."
            )
        return upload
