"""SMS length figures, checked by hand."""

import pytest

from schoolbell.channels.sms_analysis import analyse_sms

HANGUL = "가"


@pytest.mark.parametrize(
    ("count", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_korean_is_ucs2_70_then_67_per_segment(count, segments):
    result = analyse_sms(HANGUL * count)
    assert (result.encoding, result.characters, result.segments) == ("UCS-2", count, segments)


@pytest.mark.parametrize(
    ("count", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)]
)
def test_gsm7_is_160_then_153_per_segment(count, segments):
    result = analyse_sms("a" * count)
    assert (result.encoding, result.characters, result.segments) == ("GSM-7", count, segments)


def test_gsm7_extension_characters_count_two():
    assert analyse_sms("€").characters == 2
    assert analyse_sms("{}[]~^|€\\").characters == 18
    result = analyse_sms("€" * 80)  # 160 septets: still one segment
    assert (result.encoding, result.characters, result.segments) == ("GSM-7", 160, 1)
    assert analyse_sms("€" * 80 + "a").segments == 2


def test_emoji_forces_ucs2_counts_two_units_and_is_lost_in_cp949():
    result = analyse_sms("Alert 😀 now 😀")
    assert result.encoding == "UCS-2"
    assert result.characters == 15  # 11 BMP characters + 2 surrogate pairs
    assert result.unsupported_characters == ["😀"]
    assert result.cp949_bytes == 11


def test_korean_domestic_bytes_sms_up_to_90_then_lms():
    full = analyse_sms(HANGUL * 45)
    assert (full.cp949_bytes, full.korean_domestic_type) == (90, "SMS")
    assert analyse_sms(HANGUL * 46).korean_domestic_type == "LMS"
    assert analyse_sms(HANGUL * 1000).korean_domestic_type == "LMS"
    assert analyse_sms(HANGUL * 1001).korean_domestic_type == "too long"
    assert analyse_sms("a" * 90).korean_domestic_type == "SMS"


def test_carrier_prefix_counts():
    # "[Web발신]" is 7 characters and 9 CP949 bytes (5 ASCII + 2 Hangul).
    plain = analyse_sms(HANGUL * 41)
    prefixed = analyse_sms(HANGUL * 41, prefix="[Web발신]")
    assert prefixed.characters == plain.characters + 7
    assert prefixed.cp949_bytes == plain.cp949_bytes + 9 == 91
    assert (plain.korean_domestic_type, prefixed.korean_domestic_type) == ("SMS", "LMS")
    # "[국제발신]" is 6 characters: 64 Hangul fit one UCS-2 segment with it, 65 do not.
    assert analyse_sms(HANGUL * 64, prefix="[국제발신]").segments == 1
    assert analyse_sms(HANGUL * 65, prefix="[국제발신]").segments == 2


def test_unsupported_characters_are_ordered_and_unique():
    assert analyse_sms("😀a🚨b😀").unsupported_characters == ["😀", "🚨"]
