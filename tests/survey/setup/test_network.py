"""`make run HOST=0.0.0.0` tells a phone where to go: the machine's LAN address."""

from survey.setup import network


def test_loopback_host_is_shown_as_is(monkeypatch):
    monkeypatch.setattr(network, "lan_address", lambda: "10.1.2.3")
    assert network.base_url("127.0.0.1", 5000) == "http://127.0.0.1:5000"


def test_every_interface_is_shown_as_the_lan_address(monkeypatch, capsys):
    monkeypatch.setattr(network, "lan_address", lambda: "10.1.2.3")
    assert network.base_url("0.0.0.0", 9200) == "http://10.1.2.3:9200"
    network.main(["0.0.0.0", "9200"])
    assert "http://10.1.2.3:9200/q/" in capsys.readouterr().out


def test_without_a_network_it_says_phones_cannot_reach_it(monkeypatch, capsys):
    monkeypatch.setattr(network, "lan_address", lambda: None)
    network.main(["0.0.0.0", "5000"])
    assert "phones cannot reach" in capsys.readouterr().out


def test_the_real_lookup_returns_an_address_or_none():
    address = network.lan_address()
    assert address is None or (address.count(".") == 3 and not address.startswith("127."))
