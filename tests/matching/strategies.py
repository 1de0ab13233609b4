"""Random requests and counsellors for property tests, from small vocabularies so that
conflicts, shared languages and wishes collide often."""

from __future__ import annotations

from hypothesis import strategies as st

from kollega.matching import Counsellor, Request

REGIONS = ["oslo", "akershus", "vestland", "troms", "abroad", ""]
ORGS = ["hf:ous", "hf:bergen", "municipality:bergen", "text:fjellbyen legesenter"]
NAMES = ["Ingrid Berg", "Tor Hansen", "Kari Nilsen", "Ola Berg"]
SPECIALTIES = ["general_practice", "psychiatry", "surgery"]


def counsellors(max_size: int, max_capacity: int = 3) -> st.SearchStrategy[list[Counsellor]]:
    one = st.builds(
        lambda i, region, gender, specialty, langs, remote, active, capacity, load, employer, conflicts, people, days: (
            Counsellor(
                id=0,
                name=NAMES[i % len(NAMES)],
                region=region,
                gender=gender,
                specialty=specialty,
                languages=frozenset(langs),
                remote=remote,
                active=active,
                capacity=capacity,
                load=min(load, capacity),
                employers=frozenset([employer]) if employer else frozenset(),
                conflicts=frozenset(conflicts),
                conflict_people=tuple(people),
                days_since_assigned=days,
            )
        ),
        st.integers(0, 10),
        st.sampled_from(REGIONS),
        st.sampled_from(["female", "male"]),
        st.sampled_from(SPECIALTIES),
        st.sets(st.sampled_from(["nb", "en"]), min_size=1),
        st.booleans(),
        st.booleans() | st.just(True),
        st.integers(1, max_capacity),
        st.integers(0, max_capacity),
        st.sampled_from([*ORGS, ""]),
        st.sets(st.sampled_from(ORGS), max_size=1),
        st.lists(st.sampled_from(NAMES), max_size=1),
        st.none() | st.floats(0, 60),
    )
    return st.lists(one, max_size=max_size).map(
        lambda found: [Counsellor(**{**c.__dict__, "id": k + 1}) for k, c in enumerate(found)]
    )


def requests(max_size: int) -> st.SearchStrategy[list[Request]]:
    one = st.builds(
        lambda region, meeting, language, gender, specialty, wish, conflicts, avoid, names, declined, urgent, days: (
            Request(
                id=0,
                region=region,
                in_person_region=region if meeting == "region" else "",
                remote_only=meeting == "remote",
                language=language,
                gender_wish=gender,
                specialty=specialty,
                specialty_wish=wish,
                conflicts=frozenset(conflicts),
                avoid_people=tuple(avoid),
                names=tuple(names),
                declined=frozenset(declined),
                urgent=urgent,
                days_waited=days,
            )
        ),
        st.sampled_from(REGIONS),
        st.sampled_from(["", "", "region", "remote"]),
        st.sampled_from(["", "", "nb", "en"]),
        st.sampled_from(["", "female", "male"]),
        st.sampled_from(["", *SPECIALTIES]),
        st.sampled_from(["", "same", "other"]),
        st.sets(st.sampled_from(ORGS), max_size=2),
        st.lists(st.sampled_from(["Tor", "Kari Nilsen"]), max_size=1),
        st.lists(st.sampled_from(NAMES), max_size=1),
        st.sets(st.integers(1, 4), max_size=1),
        st.booleans(),
        st.floats(0, 40),
    )
    return st.lists(one, min_size=1, max_size=max_size).map(
        lambda found: [Request(**{**r.__dict__, "id": k + 1}) for k, r in enumerate(found)]
    )
