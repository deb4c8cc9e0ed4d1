"""The one rule for text: single-line values hold no control character, multi-line values
hold line breaks and tabs and no other control; ``one_line`` makes any stored text safe for a
header or a calendar line and never raises."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from guidance_portal.validators import (
    MultiLineCharField,
    SingleLineCharField,
    multi_line,
    one_line,
    single_line,
    without_controls,
)

CONTROLS = ["\n", "\r", "\t", "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]


@pytest.mark.parametrize("text", ["Atelier CV", "Bilan de compétences – 2ᵉ partie", "☕ 𝔘", ""])
def test_ordinary_text_is_a_single_line(text):
    single_line(text)
    multi_line(text)


@pytest.mark.parametrize("character", CONTROLS)
def test_a_single_line_refuses_every_control_character(character):
    with pytest.raises(ValidationError) as refused:
        single_line(f"Atelier{character}CV")
    assert refused.value.code == "single_line"


@pytest.mark.parametrize("character", ["\n", "\r\n", "\t", "\u2028"])
def test_a_multi_line_text_keeps_its_line_breaks_and_tabs(character):
    multi_line(f"Premier paragraphe.{character}Second paragraphe.")


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_a_multi_line_text_refuses_other_control_characters(character):
    with pytest.raises(ValidationError) as refused:
        multi_line(f"Texte{character}")
    assert refused.value.code == "control_characters"


def test_one_line_folds_breaks_and_controls_into_single_spaces():
    assert one_line("  Atelier\r\nCV\u2028 et\x00\tlettre  ") == "Atelier CV et lettre"
    assert one_line(None) == ""
    assert one_line("x" * 300, limit=100) == "x" * 99 + "…"


@given(st.text())
def test_one_line_of_any_text_passes_the_single_line_rule(text):
    line = one_line(text)
    single_line(line)
    assert line == line.strip()


@given(st.text())
def test_without_controls_of_any_text_passes_the_multi_line_rule(text):
    multi_line(without_controls(text))


def test_the_plain_form_fields_carry_the_rule():
    with pytest.raises(ValidationError):
        SingleLineCharField().clean("deux\nlignes")
    assert MultiLineCharField().clean("deux\nlignes") == "deux\nlignes"
    with pytest.raises(ValidationError):
        MultiLineCharField().clean("nul\x1b")
