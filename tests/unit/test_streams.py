from simulator.streams import Streams


def draws(seed, name, n=5):
    return Streams(seed)(name).random(n).tolist()


def test_same_seed_and_name_give_the_same_stream():
    assert draws(1, "demand.arrivals.web") == draws(1, "demand.arrivals.web")


def test_streams_differ_by_name_and_by_seed():
    assert draws(1, "a") != draws(1, "b")
    assert draws(1, "a") != draws(2, "a")
    assert draws((1, 0), "a") != draws((1, 1), "a")


def test_a_stream_does_not_depend_on_other_streams_being_created():
    s = Streams(5)
    s("other")
    assert s("a").random(3).tolist() == Streams(5)("a").random(3).tolist()
