"""Lenient in what people type, normalised in what is stored: phone numbers and months."""

from datetime import date

import pytest

from applications.normalise import normalise_phone, parse_month


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("03-5388-2374", "03-5388-2374"),
        ("０３－５３８８－２３７４", "03-5388-2374"),
        ("03ー5388ー2374", "03-5388-2374"),  # katakana long vowel mark as a dash
        ("03−5388−2374", "03-5388-2374"),  # minus sign
        ("0353882374", "0353882374"),
        ("03 5388 2374", "03-5388-2374"),
        ("(03) 5388-2374", "03-5388-2374"),
        ("+81-3-5388-2374", "03-5388-2374"),
        ("＋８１ ３ ５３８８ ２３７４", "03-5388-2374"),
        ("090-1234-5678", "090-1234-5678"),
        ("09012345678", "09012345678"),
        ("0422-12-3456", "0422-12-3456"),
        # Extensions, however written, kept as 内線.
        ("03-5388-2374 内線 1234", "03-5388-2374 内線1234"),
        ("03-5388-2374（内線1234）", "03-5388-2374 内線1234"),
        ("03-5388-2374 (ext. 12)", "03-5388-2374 内線12"),
        ("03-5388-2374 内線１２３４", "03-5388-2374 内線1234"),
        ("03-5388-2374内線12", "03-5388-2374 内線12"),
        ("03-5388-2374 ext. 1234", "03-5388-2374 内線1234"),
        ("03-5388-2374 EXT 55", "03-5388-2374 内線55"),
        ("03-5388-2374 extension 55", "03-5388-2374 内線55"),
        ("03-5388-2374 x1234", "03-5388-2374 内線1234"),
        ("03-5388-2374 #1234", "03-5388-2374 内線1234"),
        ("03-5388-2374, ext: 7", "03-5388-2374 内線7"),
        ("+81-3-5388-2374 ext. 9", "03-5388-2374 内線9"),
        # Refused: not a Japanese number, or not a number at all.
        ("", None),
        ("5388-2374", None),
        ("03-5388-237", None),
        ("03-5388-23745-1", None),
        ("tel:0353882374", None),
        ("+1-212-555-0100", None),
        ("０３５３８８２３７", None),
        ("内線 1234", None),
        ("03-5388-2374 内線", None),
        ("03-5388-2374 内線 1234567", None),
    ],
)
def test_phone_numbers_are_read_as_people_write_them(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("2027-04", date(2027, 4, 1)),
        ("2027-4", date(2027, 4, 1)),
        ("2027/4", date(2027, 4, 1)),
        ("2027/04", date(2027, 4, 1)),
        ("2027.4", date(2027, 4, 1)),
        ("2027年4月", date(2027, 4, 1)),
        ("2027 年 4 月", date(2027, 4, 1)),
        ("２０２７年４月", date(2027, 4, 1)),
        ("令和9年4月", date(2027, 4, 1)),
        ("令和９年４月", date(2027, 4, 1)),
        ("令和元年5月", date(2019, 5, 1)),
        ("R9.4", date(2027, 4, 1)),
        ("r9.4", date(2027, 4, 1)),
        ("平成31年4月", date(2019, 4, 1)),
        ("April 2027", date(2027, 4, 1)),
        ("april 2027", date(2027, 4, 1)),
        ("Apr 2027", date(2027, 4, 1)),
        ("Apr. 2027", date(2027, 4, 1)),
        ("Sept 2027", date(2027, 9, 1)),
        ("2027 April", date(2027, 4, 1)),
        ("December, 2027", date(2027, 12, 1)),
        ("2027-13", None),
        ("2027-0", None),
        ("令和9年13月", None),
        ("来年の春", None),
        ("Aprill 2027", None),
        ("2027", None),
        ("4月", None),
        ("", None),
        (None, None),
    ],
)
def test_a_month_is_read_as_people_write_it(typed, month):
    assert parse_month(typed) == month


def test_every_month_of_reiwa_maps_to_its_western_year():
    for reiwa in range(1, 30):
        for month in range(1, 13):
            assert parse_month(f"令和{reiwa}年{month}月") == date(2018 + reiwa, month, 1)
            assert parse_month(f"{2018 + reiwa}/{month}") == date(2018 + reiwa, month, 1)
