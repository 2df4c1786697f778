//! Webster / Sainte-Laguë apportionment, the way Karmada divides replicas by weight
//! (`AllocateWebsterSeats`): seats go one at a time to the party with the highest
//! `votes / (2·seats + 1)`.

use std::cmp::Ordering;

/// How a tie on priority and seats is broken between two party names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// The smaller name wins.
    Ascending,
    /// The larger name wins.
    Descending,
}

impl NameOrder {
    /// Karmada's `tieBreakerByUID`: descending when the FNV-32a hash of the resource template's
    /// UID is odd, ascending when it is even or the UID is empty.
    pub fn for_uid(uid: &str) -> NameOrder {
        if !uid.is_empty() && crate::naming::fnv32a(uid.as_bytes()) & 1 == 1 {
            NameOrder::Descending
        } else {
            NameOrder::Ascending
        }
    }
}

#[derive(Debug, Clone)]
struct Party<'a> {
    name: &'a str,
    votes: i64,
    seats: i64,
}

/// Whether party `a` should get the next seat before party `b`.
fn before(a: &Party<'_>, b: &Party<'_>, order: NameOrder) -> Ordering {
    // votes_a / (2·seats_a + 1) against votes_b / (2·seats_b + 1), exactly (Karmada uses
    // float64, which agrees for every realistic replica count).
    let left = i128::from(a.votes) * i128::from(2 * b.seats + 1);
    let right = i128::from(b.votes) * i128::from(2 * a.seats + 1);
    right
        .cmp(&left)
        .then(a.seats.cmp(&b.seats))
        .then_with(|| match order {
            NameOrder::Ascending => a.name.cmp(b.name),
            NameOrder::Descending => b.name.cmp(a.name),
        })
}

/// Hands out `new_seats` seats among `votes` (party → weight), on top of `initial` seats.
/// Parties present only in `initial` keep their seats and have no votes. Returns every party
/// with its total seats, sorted by name. Nothing is handed out when all votes are zero.
pub fn allocate(
    new_seats: i64,
    votes: &[(&str, i64)],
    initial: &[(&str, i64)],
    order: NameOrder,
) -> Vec<(String, i64)> {
    let mut parties: Vec<Party<'_>> = Vec::new();
    for (name, seats) in initial {
        parties.push(Party {
            name,
            votes: 0,
            seats: *seats,
        });
    }
    for (name, weight) in votes {
        match parties.iter_mut().find(|p| p.name == *name) {
            Some(party) => party.votes = *weight,
            None => parties.push(Party {
                name,
                votes: *weight,
                seats: 0,
            }),
        }
    }
    if votes.iter().map(|(_, w)| *w).sum::<i64>() > 0 {
        for _ in 0..new_seats.max(0) {
            let winner = parties
                .iter_mut()
                .min_by(|a, b| before(a, b, order))
                .map(|party| party.seats += 1);
            if winner.is_none() {
                break;
            }
        }
    }
    let mut result: Vec<(String, i64)> = parties
        .into_iter()
        .map(|p| (p.name.to_string(), p.seats))
        .collect();
    result.sort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seats: i64, votes: &[(&str, i64)], order: NameOrder) -> Vec<(String, i64)> {
        allocate(seats, votes, &[], order)
    }

    fn expect(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(n, s)| (n.to_string(), *s)).collect()
    }

    /// (name, seats, votes, name order, expected seats).
    type Case = (
        &'static str,
        i64,
        Vec<(&'static str, i64)>,
        NameOrder,
        Vec<(&'static str, i64)>,
    );

    #[test]
    fn apportionment_cases() {
        use NameOrder::*;
        let cases: Vec<Case> = vec![
            (
                "proportional weights divide exactly",
                12,
                vec![("a", 1), ("b", 2), ("c", 3)],
                Ascending,
                vec![("a", 2), ("b", 4), ("c", 6)],
            ),
            (
                "webster favours the smaller party",
                5,
                vec![("a", 2), ("b", 1)],
                Ascending,
                vec![("a", 3), ("b", 2)],
            ),
            (
                "an odd seat between equals goes to the smaller name ascending",
                3,
                vec![("a", 1), ("b", 1)],
                Ascending,
                vec![("a", 2), ("b", 1)],
            ),
            (
                "an odd seat between equals goes to the larger name descending",
                3,
                vec![("a", 1), ("b", 1)],
                Descending,
                vec![("a", 1), ("b", 2)],
            ),
            (
                "free capacity 6/8/10 splits twelve as 3/4/5",
                12,
                vec![("m1", 6), ("m2", 8), ("m3", 10)],
                Ascending,
                vec![("m1", 3), ("m2", 4), ("m3", 5)],
            ),
            (
                "zero-vote parties get nothing",
                4,
                vec![("a", 0), ("b", 3)],
                Ascending,
                vec![("a", 0), ("b", 4)],
            ),
            (
                "all zero votes hand out nothing",
                4,
                vec![("a", 0), ("b", 0)],
                Ascending,
                vec![("a", 0), ("b", 0)],
            ),
        ];
        for (name, seats, votes, order, want) in cases {
            assert_eq!(run(seats, &votes, order), expect(&want), "{name}");
        }
    }

    #[test]
    fn initial_seats_are_kept_and_count_against_priority() {
        // b already holds 2 seats (priority 2/5), so both new seats go to a (2/1, then 2/3).
        let got = allocate(
            2,
            &[("a", 2), ("b", 2)],
            &[("b", 2), ("c", 1)],
            NameOrder::Ascending,
        );
        assert_eq!(got, expect(&[("a", 2), ("b", 2), ("c", 1)]));
    }

    #[test]
    fn uid_parity_picks_the_name_order() {
        let odd = crate::scheduler::core::testing::uid_with_parity(true);
        let even = crate::scheduler::core::testing::uid_with_parity(false);
        assert_eq!(NameOrder::for_uid(&odd), NameOrder::Descending);
        assert_eq!(NameOrder::for_uid(&even), NameOrder::Ascending);
        assert_eq!(NameOrder::for_uid(""), NameOrder::Ascending);
    }
}
