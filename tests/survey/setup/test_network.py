"""`make run HOST=0.0.0.0` tells a phone where to go: the machine's LAN address."""

from survey.setup import network


def test_loopback_host_is_shown_as_is(monkeypatch):
    monkeypatch.setattr(network, "lan_address", lambda: "10.1.2.3")
    assert network.base_url("127.0.0.1", 5000) == "http://127.0.0.1:5000"


def test_every_interface_is_shown_as_the_lan_address(monkeypatch, capsys):
    monkeypatch.setattr(network, "lan_address", lambda: "10.1.2.3")
    assert network.base_url("0.0.0.0", 9200) == "http://10.1.2.3:9200"
    network.main(["0.0.0.0", "9200"])
    assert "Điện thoại cùng mạng Wi-Fi mở: http://10.1.2.3:9200/q/<mã trung tâm>" in capsys.readouterr().out


def test_a_loopback_host_says_how_to_reach_it_from_a_phone(monkeypatch, capsys):
    network.main(["127.0.0.1", "5000"])
    assert capsys.readouterr().out == ("Mở http://127.0.0.1:5000/admin/ trên chính máy này. Để dùng trên điện "
                                       "thoại, chạy: make run HOST=0.0.0.0\n")


def test_without_a_network_it_says_phones_cannot_reach_it(monkeypatch, capsys):
    monkeypatch.setattr(network, "lan_address", lambda: None)
    network.main(["0.0.0.0", "5000"])
    assert "điện thoại không kết nối được tới máy này" in capsys.readouterr().out


def test_the_real_lookup_returns_an_address_or_none():
    address = network.lan_address()
    assert address is None or (address.count(".") == 3 and not address.startswith("127."))
