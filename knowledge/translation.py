"""Per-language columns of the vocabularies, registered with django-modeltranslation (which
imports this module when Django starts) from what knowledge.registry declares `translated`.

English is required; French and Spanish may be left empty, and then read as English.
"""

from modeltranslation.translator import TranslationOptions, translator

from .registry import VOCABULARIES

for entry in VOCABULARIES:
    if entry.translated:
        options = type(
            f"{entry.model.__name__}TranslationOptions",
            (TranslationOptions,),
            {"fields": entry.translated, "required_languages": ("en",)},
        )
        translator.register(entry.model, options)
