"""How the local pool shares its worker processes between circuit kinds."""

from zksolvency.prover.pool import shares


def test_every_kind_gets_a_process_so_their_keys_load_at_once() -> None:
    assert shares([(250_000, 10), (535_000, 1)], 2) == [1, 1]


def test_spare_processes_go_where_the_most_constraints_wait() -> None:
    assert shares([(250_000, 100), (535_000, 10)], 16) == [13, 3]
    assert shares([(250_000, 10), (535_000, 40)], 4) == [1, 3]


def test_no_kind_gets_more_processes_than_jobs() -> None:
    assert shares([(250_000, 2), (535_000, 1)], 8) == [2, 1]
