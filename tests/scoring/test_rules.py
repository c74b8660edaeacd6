"""The scoring rules of racedata-v1's README, checked on hand-built fields (no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from racehub.scoring.rules import (
    AwardRules,
    AwardWin,
    Finisher,
    age_group,
    awards,
    competition_ranks,
    place_finishers,
)

MIN = 60_000


def runner(entry_id: int, minutes: float, *, sex: str = "M", age: int | None = 30) -> Finisher:
    return Finisher(entry_id=entry_id, sex=sex, age=age, placement_ms=round(minutes * MIN))


def wins_of(wins: list[AwardWin], category: str, sex: str | None = None) -> dict[int, int]:
    """entry_id -> award place for one category (and sex)."""
    return {
        w.entry_id: w.award_place for w in wins if w.category == category and (sex is None or w.sex == sex)
    }


class TestCompetitionRanking:
    def test_equal_times_share_a_place_and_the_next_place_is_skipped(self) -> None:
        field = [runner(4, 21), runner(2, 20), runner(3, 20), runner(1, 19)]
        assert competition_ranks(field) == {1: 1, 2: 2, 3: 2, 4: 4}

    def test_input_order_does_not_matter(self) -> None:
        field = [runner(i, m) for i, m in enumerate([25, 19, 22, 19, 19, 30], start=1)]
        assert competition_ranks(field) == competition_ranks(list(reversed(field)))
        assert sorted(competition_ranks(field).values()) == [1, 1, 1, 4, 5, 6]

    def test_empty_field(self) -> None:
        assert competition_ranks([]) == {}


class TestAgeGroupLabels:
    @pytest.mark.parametrize(
        ("age", "label"),
        [
            (None, None),
            (0, "14 & under"),
            (14, "14 & under"),
            (15, "15-19"),
            (19, "15-19"),
            (20, "20-24"),
            (24, "20-24"),
            (25, "25-29"),
            (39, "35-39"),
            (40, "40-44"),
            (69, "65-69"),
            (70, "70-74"),
            (75, "75-79"),
            (79, "75-79"),
            (80, "80 & over"),
            (101, "80 & over"),
        ],
    )
    def test_five_year_groups(self, age: int | None, label: str | None) -> None:
        assert age_group(age, 5) == label

    @pytest.mark.parametrize(
        ("age", "label"),
        [
            (None, None),
            (0, "19 & under"),
            (14, "19 & under"),
            (15, "19 & under"),
            (19, "19 & under"),
            (20, "20-29"),
            (29, "20-29"),
            (30, "30-39"),
            (59, "50-59"),
            (60, "60-69"),
            (69, "60-69"),
            (70, "70 & over"),
            (79, "70 & over"),
            (80, "70 & over"),
        ],
    )
    def test_ten_year_groups(self, age: int | None, label: str | None) -> None:
        assert age_group(age, 10) == label

    def test_other_widths_are_refused(self) -> None:
        with pytest.raises(ValueError, match="5 or 10"):
            age_group(30, 7)


class TestPlaces:
    def test_overall_sex_and_age_group_places_rank_separately(self) -> None:
        field = [
            runner(1, 18, sex="M", age=22),
            runner(2, 19, sex="F", age=23),
            runner(3, 20, sex="M", age=41),
            runner(4, 21, sex="F", age=22),
            runner(5, 22, sex="M", age=24),
            runner(6, 23, sex="X", age=30),
        ]
        places = place_finishers(field, 5)
        assert {e: p.overall_place for e, p in places.items()} == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6}
        assert {e: p.sex_place for e, p in places.items()} == {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 1}
        assert {e: (p.age_group, p.age_group_place) for e, p in places.items()} == {
            1: ("20-24", 1),
            2: ("20-24", 1),
            3: ("40-44", 1),
            4: ("20-24", 2),
            5: ("20-24", 2),
            6: ("30-34", 1),
        }

    def test_no_age_means_no_age_group_place(self) -> None:
        places = place_finishers([runner(1, 20, age=None), runner(2, 21, age=30)], 10)
        assert (places[1].age_group, places[1].age_group_place, places[1].overall_place) == (None, None, 1)
        assert (places[2].age_group, places[2].age_group_place) == ("30-39", 1)


class TestOverallAwards:
    def test_top_places_of_each_sex(self) -> None:
        field = [runner(i, 20 + i, sex="M") for i in range(1, 6)] + [
            runner(10 + i, 22 + i, sex="F") for i in range(1, 6)
        ]
        wins = awards(field, AwardRules(overall_award_depth=3, masters_award_depth=0, ag_award_depth=0))
        assert wins_of(wins, "overall", "M") == {1: 1, 2: 2, 3: 3}
        assert wins_of(wins, "overall", "F") == {11: 1, 12: 2, 13: 3}
        assert {w.category for w in wins} == {"overall"}

    def test_everyone_tied_at_the_cut_off_gets_the_award(self) -> None:
        field = [runner(1, 20), runner(2, 21), runner(3, 22), runner(4, 22), runner(5, 23)]
        wins = awards(field, AwardRules(overall_award_depth=3, masters_award_depth=0, ag_award_depth=0))
        assert wins_of(wins, "overall") == {1: 1, 2: 2, 3: 3, 4: 3}

    def test_tie_just_past_the_cut_off_gets_nothing(self) -> None:
        field = [runner(1, 20), runner(2, 20), runner(3, 21), runner(4, 21)]
        wins = awards(field, AwardRules(overall_award_depth=2, masters_award_depth=0, ag_award_depth=0))
        assert wins_of(wins, "overall") == {1: 1, 2: 1}

    def test_x_category_is_scored_on_its_own(self) -> None:
        field = [
            runner(1, 18, sex="M"),
            runner(2, 19, sex="F"),
            runner(3, 40, sex="X"),
            runner(4, 41, sex="X"),
        ]
        wins = awards(field, AwardRules(overall_award_depth=1, masters_award_depth=0, ag_award_depth=0))
        assert {(w.entry_id, w.sex, w.award_place) for w in wins} == {(1, "M", 1), (2, "F", 1), (3, "X", 1)}


class TestMastersAwards:
    def test_masters_skip_overall_winners(self) -> None:
        field = [
            runner(1, 20, age=45),  # overall winner, also the fastest master
            runner(2, 21, age=25),
            runner(3, 22, age=41),
            runner(4, 23, age=50),
            runner(5, 24, age=39),  # not a master
        ]
        wins = awards(field, AwardRules(overall_award_depth=2, masters_award_depth=2, ag_award_depth=0))
        assert wins_of(wins, "overall") == {1: 1, 2: 2}
        assert wins_of(wins, "masters") == {3: 1, 4: 2}

    def test_masters_minimum_age_is_inclusive(self) -> None:
        field = [runner(1, 20, age=25), runner(2, 21, age=39), runner(3, 22, age=40)]
        wins = awards(field, AwardRules(overall_award_depth=1, masters_award_depth=1, ag_award_depth=0))
        assert wins_of(wins, "masters") == {3: 1}

    def test_depth_zero_gives_no_masters(self) -> None:
        field = [runner(1, 20, age=25), runner(2, 21, age=50)]
        wins = awards(field, AwardRules(overall_award_depth=1, masters_award_depth=0, ag_award_depth=0))
        assert wins_of(wins, "masters") == {}


class TestAgeGroupAwards:
    FIELD = (
        runner(1, 18, age=22),  # overall 1
        runner(2, 19, age=23),  # overall 2
        runner(3, 20, age=44),  # masters 1
        runner(4, 21, age=21),
        runner(5, 22, age=42),
        runner(6, 23, age=24),
    )
    RULES = AwardRules(
        overall_award_depth=2, masters_award_depth=1, masters_min_age=40, ag_award_depth=2, age_group_width=5
    )

    def test_overall_and_masters_winners_are_left_out_when_excluded(self) -> None:
        wins = awards(list(self.FIELD), self.RULES)
        assert wins_of(wins, "masters") == {3: 1}
        ag = {(w.entry_id, w.age_group, w.award_place) for w in wins if w.category == "age_group"}
        assert ag == {(4, "20-24", 1), (6, "20-24", 2), (5, "40-44", 1)}

    def test_overall_and_masters_winners_stay_in_when_not_excluded(self) -> None:
        rules = replace(self.RULES, exclude_award_winners_from_ag=False)
        wins = awards(list(self.FIELD), rules)
        ag = {(w.entry_id, w.age_group, w.award_place) for w in wins if w.category == "age_group"}
        assert ag == {(1, "20-24", 1), (2, "20-24", 2), (3, "40-44", 1), (5, "40-44", 2)}
        assert wins_of(wins, "overall") == {1: 1, 2: 2}

    def test_groups_are_per_sex(self) -> None:
        field = [
            runner(1, 20, sex="M", age=30),
            runner(2, 30, sex="F", age=31),
            runner(3, 31, sex="F", age=32),
        ]
        wins = awards(field, AwardRules(overall_award_depth=0, masters_award_depth=0, ag_award_depth=1))
        assert {(w.entry_id, w.sex, w.age_group) for w in wins} == {(1, "M", "30-34"), (2, "F", "30-34")}

    def test_tie_at_the_age_group_cut_off_awards_both(self) -> None:
        field = [runner(1, 20, age=30), runner(2, 21, age=31), runner(3, 21, age=32), runner(4, 22, age=33)]
        wins = awards(field, AwardRules(overall_award_depth=0, masters_award_depth=0, ag_award_depth=2))
        assert wins_of(wins, "age_group") == {1: 1, 2: 2, 3: 2}

    def test_runner_without_age_gets_no_age_group_award(self) -> None:
        field = [runner(1, 20, age=None), runner(2, 21, age=30)]
        wins = awards(field, AwardRules(overall_award_depth=0, masters_award_depth=0, ag_award_depth=3))
        assert wins_of(wins, "age_group") == {2: 1}


class TestNothingToAward:
    def test_empty_field_has_no_awards(self) -> None:
        assert awards([], AwardRules()) == []

    def test_depth_zero_everywhere_has_no_awards(self) -> None:
        field = [runner(i, 20 + i, age=20 + 5 * i) for i in range(10)]
        assert awards(field, AwardRules(overall_award_depth=0, masters_award_depth=0, ag_award_depth=0)) == []

    def test_empty_groups_produce_no_rows(self) -> None:
        field = [runner(1, 20, age=30)]
        wins = awards(field, AwardRules(overall_award_depth=3, masters_award_depth=3, ag_award_depth=3))
        assert [(w.category, w.award_place) for w in wins] == [("overall", 1)]
