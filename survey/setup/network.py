"""The address a phone on the same network uses to reach `make run HOST=0.0.0.0`.

`python -m survey.setup.network HOST PORT` prints where to open the app; with `--base` it prints
only the base URL, which `make run` passes on as SURVEY_PUBLIC_BASE_URL so that posters and
receipt QR codes point at an address a phone can reach.
"""

from __future__ import annotations

import socket
import sys

ANY_ADDRESS = ("0.0.0.0", "::")  # nosec B104 (the values compared against, not a bind)


def lan_address() -> str | None:
    """This machine's address on its local network, or None when it has none.

    Connecting a UDP socket sends nothing; it only makes the system choose the interface and
    source address it would route through.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never a real host
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # nosec B104


def base_url(host: str, port: int) -> str:
    """The URL to give phones: the LAN address when listening on every interface."""
    shown = (lan_address() or "127.0.0.1") if host in ANY_ADDRESS else host
    return f"http://{shown}:{port}"


def main(argv: list[str]) -> int:
    only_base = "--base" in argv
    host, port = [a for a in argv if a != "--base"][:2]
    url = base_url(host, int(port))
    if only_base:
        print(url)
    elif host in ANY_ADDRESS:
        print(f"Điện thoại cùng mạng Wi-Fi mở: {url}/q/<mã trung tâm> (cán bộ: {url}/admin/)")
        if lan_address() is None:
            print("Không tìm thấy địa chỉ mạng nội bộ: điện thoại không kết nối được tới máy này.")
    else:
        print(f"Mở {url}/admin/ trên chính máy này. Để dùng trên điện thoại, chạy: make run HOST=0.0.0.0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
