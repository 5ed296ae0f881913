"""Reference data loaders: name statistics and places."""

from records.reference_data import (
    HISTORICAL_PLACES,
    NamePeriod,
    brvt_units,
    historical_places,
    name_statistics,
    provinces_2004_2021,
    short_place_name,
)


def test_name_statistics_prefer_the_older_cohort() -> None:
    old = name_statistics()
    assert old.period is NamePeriod.BORN_1950_1990
    assert old.surnames["NGUYỄN"] > old.surnames["TRẦN"] > 0
    assert "THỊ" in old.middles and "VĂN" in old.middles  # fallback to the full middle table
    assert old.token_counts[3] > old.token_counts[4] > old.token_counts[2]
    hung = old.given["HÙNG"]
    assert hung.male > hung.female
    share = hung.female_share
    assert share is not None and share < 0.2


def test_full_period_is_larger_and_cached() -> None:
    full = name_statistics(NamePeriod.ALL_2016_2017)
    assert len(full.surnames) > len(name_statistics().surnames)
    assert full.given["TRANG"].female > full.given["TRANG"].male
    assert name_statistics(NamePeriod.ALL_2016_2017) is full


def test_token_lookups_for_validation() -> None:
    stats = name_statistics()
    assert stats.is_surname("Nguyễn") and stats.is_given_name("hùng")
    assert stats.is_middle_token("Thị")
    assert not stats.is_surname("Qwerty")


def test_places() -> None:
    units = brvt_units()
    assert units[0].level == 1 and "Bà Rịa" in units[0].name
    districts = [u for u in units if u.level == 2]
    assert any("Côn Đảo" in u.name for u in districts)
    assert len(provinces_2004_2021()) >= 63
    assert short_place_name("Huyện Long Điền") == "Long Điền"
    assert short_place_name("Phường 7") == "Phường 7"


def test_historical_places_follow_the_dates_of_domain_md() -> None:
    names_1985 = {p.name for p in historical_places(1985)}
    assert {"Đồng Nai", "Long Đất", "Châu Thành", "Vũng Tàu - Côn Đảo", "Nghĩa Bình"} <= names_1985
    assert "Bà Rịa - Vũng Tàu" not in names_1985 and "Phước Tuy" not in names_1985
    names_1970 = {p.name for p in historical_places(1970)}
    assert "Phước Tuy" in names_1970
    local_2000 = {p.name for p in historical_places(2000, local=True)}
    assert "Bà Rịa - Vũng Tàu" in local_2000 and "Châu Đức" in local_2000
    assert all(p.valid_from <= p.valid_to for p in HISTORICAL_PLACES)
