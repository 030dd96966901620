#!/usr/bin/env python3
"""An upstream resolver for tests and the soak that misbehaves on request, over UDP and TCP on
one loopback port. What it does depends on the first label of the question:

    huge...   truncated (TC, no records) over UDP; over TCP an answer of about 50 KB (TXT records)
    slow...   answered after --delay seconds (default 0.3)
    hang...   never answered
    other     A 192.0.2.1 for type A, NOERROR without records for any other type

    bench/fake_upstream.py [--port 0] [--delay 0.3]

It prints "port N" on standard output once both sockets are bound, and runs until killed.
"""
import argparse
import asyncio
import struct
import sys

HUGE_RECORDS = 200
HUGE_TEXT = b"x" * 240


def parse(query):
    """(id, flags, question bytes, first label, qtype), or None for what is not a query."""
    if len(query) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    offset = 12
    labels = []
    while offset < len(query):
        length = query[offset]
        if length == 0:
            offset += 1
            break
        if length & 0xC0:
            return None
        labels.append(query[offset + 1:offset + 1 + length])
        offset += 1 + length
    if offset + 4 > len(query):
        return None
    qtype = struct.unpack("!H", query[offset:offset + 2])[0]
    first = labels[0].decode("ascii", "replace").lower() if labels else ""
    return ident, flags, query[12:offset + 4], first, qtype


def answer(query, tcp):
    parsed = parse(query)
    if parsed is None:
        return None
    ident, flags, question, first, qtype = parsed
    rd = flags & 0x0100
    records = []
    truncated = 0
    if first.startswith("huge"):
        if tcp:
            rdata = bytes([len(HUGE_TEXT)]) + HUGE_TEXT
            records = [b"\xc0\x0c" + struct.pack("!HHIH", 16, 1, 60, len(rdata)) + rdata] * HUGE_RECORDS
        else:
            truncated = 0x0200
    elif qtype == 1:
        records = [b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])]
    header = struct.pack("!HHHHHH", ident, 0x8000 | 0x0080 | rd | truncated, 1, len(records), 0, 0)
    return header + question + b"".join(records)


def delay_for(query, default):
    parsed = parse(query)
    if parsed is None:
        return None
    first = parsed[3]
    if first.startswith("hang"):
        return None
    return default if first.startswith("slow") else 0


class UDP(asyncio.DatagramProtocol):
    def __init__(self, delay):
        self.delay = delay
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, address):
        wait = delay_for(data, self.delay)
        reply = answer(data, tcp=False)
        if wait is None or reply is None:
            return
        loop = asyncio.get_running_loop()
        loop.call_later(wait, self.transport.sendto, reply, address)


async def serve_tcp(reader, writer, delay):
    try:
        while True:
            header = await reader.readexactly(2)
            query = await reader.readexactly(struct.unpack("!H", header)[0])
            wait = delay_for(query, delay)
            reply = answer(query, tcp=True)
            if wait is None or reply is None:
                continue
            if wait:
                await asyncio.sleep(wait)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.3)
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    # TCP first, on the port asked for (or any); then UDP on the same number.
    for _ in range(20):
        server = await asyncio.start_server(lambda r, w: serve_tcp(r, w, args.delay), "127.0.0.1", args.port)
        port = server.sockets[0].getsockname()[1]
        try:
            await loop.create_datagram_endpoint(lambda: UDP(args.delay), local_addr=("127.0.0.1", port))
            break
        except OSError:
            server.close()
            if args.port:
                raise
    else:
        sys.exit("no port free for both UDP and TCP")
    print(f"port {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
