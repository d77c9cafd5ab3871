"""Masked account hints, read as Microsoft writes them (facts §3): `ja**a@outlook.com` today,
`pr*****@gmail.com` before 2020."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from msaccounts import masks

KNOWN = {"peter.weber@example.com", "petra.bauer@example.com", "anna.weber@example.com", "pr.jones@gmail.com"}


def test_the_current_format_fits_by_start_end_and_domain():
    mask = masks.parse("pe**r@example.com")
    assert mask == masks.Mask(start="pe", end="r", domain="example.com")
    assert mask.fits("Peter.Weber@Example.com") and mask.fits("petra.bauer@example.com")
    assert not mask.fits("peter.weber@example.org") and not mask.fits("paul.baker@example.com")


def test_the_older_format_has_no_visible_end():
    mask = masks.parse("pr*****@gmail.com")
    assert mask == masks.Mask(start="pr", end="", domain="gmail.com")
    assert masks.resolve("pr*****@gmail.com", KNOWN) == "pr.jones@gmail.com"


def test_exactly_one_fit_resolves_none_or_two_do_not():
    assert masks.resolve("an**r@example.com", KNOWN) == "anna.weber@example.com"
    assert masks.resolve("zz**r@example.com", KNOWN) is None
    assert masks.fitting("pe**r@example.com", KNOWN) == ["peter.weber@example.com", "petra.bauer@example.com"]
    assert masks.resolve("pe**r@example.com", KNOWN) is None


def test_full_addresses_and_junk_are_not_masks():
    for value in ("peter.weber@example.com", "********", "a**b**c@example.com", "**@example.com", "pe**r@", "x" * 300):
        assert masks.parse(value) is None, value
    assert masks.fitting("peter.weber@example.com", KNOWN) == []
    assert not masks.is_address("pe**r@example.com") and masks.is_address("kid.20140526@example.com")


def test_plus_tags_name_the_service():
    assert masks.plus_tag("anna+shop@example.com") == "shop" and masks.plus_tag("anna@example.com") == ""


_local = st.text(string.ascii_lowercase + string.digits + "._-", min_size=3, max_size=30)


@given(_local, st.sampled_from(["outlook.com", "example.org", "hotmail.co.uk"]))
def test_microsofts_mask_of_an_address_always_fits_it(local, domain):
    address = f"{local}@{domain}"
    assert masks.parse(f"{local[:2]}**{local[-1]}@{domain}").fits(address)
    assert masks.parse(f"{local[:2]}*****@{domain}").fits(address)
