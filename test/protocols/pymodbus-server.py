#!/usr/bin/python3
"""A real Modbus device for the Modbus plugin's tests: pymodbus 3.0 (Debian's python3-pymodbus)
serving one known datastore over TCP and, optionally, RTU on a serial path (one end of a socat
pty pair).

    pymodbus-server.py --tcp PORT [--rtu PATH] [--quiet]

PORT 0 picks a free port. Prints `ready tcp 127.0.0.1:<port>` (and `ready rtu <path>`), then
`ready`. Every request it sees is printed as `req unit=1 fc=3 address=0 count=25` (unless
--quiet), so a test can count the requests the plugin sent.

Faults on demand, as a real device shows them:
  - SIGUSR1 toggles "mute": requests are read and dropped, never answered (a device that stopped
    answering); prints `muted` / `unmuted`.
  - holding registers 9000-9099 answer "server device busy" (exception 6);
  - holding registers 9100-9199 answer with a broken CRC over RTU (a noisy line);
  - addresses at 10000 and above are outside the datastore: "illegal data address" (exception 2).

The protocol is pymodbus's own: its TCP and RTU framers, request decoder, datastore and request
execution. Only the transport is ours (an asyncio TCP server; the raw pty file descriptor):
pymodbus's server module imports pyserial and pyserial-asyncio, which the package only recommends
and CI does not install (--no-install-recommends).
"""

import argparse
import asyncio
import os
import signal
import struct
import sys
import termios
import tty

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.factory import ServerDecoder
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.pdu import ExceptionResponse, ModbusExceptions

SIZE = 10000  # registers / bits per table: address 10000 and above is "illegal data address"
BUSY = range(9000, 9100)
BAD_CRC = range(9100, 9200)
LATE = range(9200, 9300)  # answered over RTU only after --late-ms (a device slower than the timeout)


def words_be(fmt, value, swap=False):
    """The 16-bit registers of `value` packed big-endian with struct `fmt`; swap: low word first."""
    raw = struct.pack(">" + fmt, value)
    words = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return list(reversed(words)) if swap else words


def holding_unit1():
    """Every type in both word orders. test/protocols/modbus-server.ts (KNOWN) holds the same table."""
    hr = [0] * SIZE
    layout = [
        (0, words_be("H", 51234)),
        (1, words_be("h", -1234)),
        (2, words_be("I", 3000000000)),
        (4, words_be("I", 3000000000, swap=True)),
        (6, words_be("i", -123456789)),
        (8, words_be("i", -123456789, swap=True)),
        (10, words_be("f", 230.7)),
        (12, words_be("f", 230.7, swap=True)),
        (14, words_be("d", -12345.678901)),
        (18, words_be("d", -12345.678901, swap=True)),
        (22, words_be("H", 2345)),  # read with scale 0.1, offset -10
        (23, words_be("i", -2)),  # read with scale 0.5, offset 100
    ]
    for address, words in layout:
        hr[address : address + len(words)] = words
    for address in range(100, 1000):  # a ramp for block reads: each register holds its address
        hr[address] = address
    for address in LATE:  # told apart by their values when an answer comes late
        hr[address] = address
    return hr


def input_unit1():
    ir = [0] * SIZE
    ir[0] = 4321
    ir[1:3] = words_be("f", -1.5)
    ir[3:5] = words_be("i", -70000, swap=True)
    for address in range(100, 1000):
        ir[address] = 3 * address
    return ir


COILS = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1]


class Device:
    """What the device does besides serving values: logging, muting, faults."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.muted = False
        self.fault = None  # set while a request is executed: "busy", "crc" or "late"
        self.late_s = 1.5

    def saw(self, unit, fc, address, count):
        self.fault = None
        if fc == 3 and address in BUSY:
            self.fault = "busy"
        elif fc == 3 and address in BAD_CRC:
            self.fault = "crc"
        elif fc == 3 and address in LATE:
            self.fault = "late"
        if not self.quiet:
            print(f"req unit={unit} fc={fc} address={address} count={count}", flush=True)

    def manipulate(self, response):
        """Drop (mute) or replace (busy) the datastore's answer."""
        if self.muted:
            response.should_respond = False
        elif self.fault == "busy":
            busy = ExceptionResponse(response.function_code & 0x7F, ModbusExceptions.SlaveBusy)
            busy.transaction_id = response.transaction_id
            busy.unit_id = response.unit_id
            return busy
        return response


class Unit(ModbusSlaveContext):
    """A unit's datastore that tells the Device every request it validates."""

    def __init__(self, unit, device, **blocks):
        super().__init__(zero_mode=True, **blocks)
        self.unit = unit
        self.device = device

    def validate(self, fc_as_hex, address, count=1):
        self.device.saw(self.unit, fc_as_hex, address, count)
        return super().validate(fc_as_hex, address, count)


def context(device):
    unit1 = Unit(
        1,
        device,
        hr=ModbusSequentialDataBlock(0, holding_unit1()),
        ir=ModbusSequentialDataBlock(0, input_unit1()),
        co=ModbusSequentialDataBlock(0, COILS + [0] * (SIZE - len(COILS))),
        di=ModbusSequentialDataBlock(0, [1 - c for c in COILS] + [0] * (SIZE - len(COILS))),
    )
    hr2 = [0] * SIZE
    hr2[0] = 2222  # unit 2 answers with its own values: proves the unit id reaches the device
    unit2 = Unit(
        2,
        device,
        hr=ModbusSequentialDataBlock(0, hr2),
        ir=ModbusSequentialDataBlock(0, [0] * SIZE),
        co=ModbusSequentialDataBlock(0, [0] * SIZE),
        di=ModbusSequentialDataBlock(0, [0] * SIZE),
    )
    return ModbusServerContext(slaves={1: unit1, 2: unit2}, single=False)


def execute(ctx, device, request):
    """One request against the datastore, as pymodbus's own server does it: the answer to send,
    or None when the device stays silent."""
    try:
        response = request.execute(ctx[request.unit_id])
    except Exception:  # pylint: disable=broad-except
        response = request.doException(ModbusExceptions.SlaveFailure)
    response.transaction_id = request.transaction_id
    response.unit_id = request.unit_id
    response = device.manipulate(response)
    return response if response.should_respond else None


async def serve_tcp(port, ctx, device):
    """Modbus TCP on 127.0.0.1: each connection with its own pymodbus socket framer, so requests
    pipelined on one connection are answered in order."""

    async def connection(reader, writer):
        framer = ModbusSocketFramer(ServerDecoder())

        def answer(request):
            response = execute(ctx, device, request)
            if response is not None:
                writer.write(framer.buildPacket(response))

        try:
            while data := await reader.read(65536):
                framer.processIncomingPacket(data, answer, unit=[1, 2], single=False)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(connection, "127.0.0.1", port, reuse_address=True)


def serve_rtu(path, ctx, device):
    """Modbus RTU on a raw serial file descriptor, with pymodbus's RTU framer."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd, termios.TCSANOW)
    framer = ModbusRtuFramer(ServerDecoder())
    loop = asyncio.get_running_loop()

    def answer(request):
        response = execute(ctx, device, request)
        if response is None:
            return
        packet = bytearray(framer.buildPacket(response))
        if device.fault == "crc":
            packet[-1] ^= 0xFF
        if device.fault == "late":
            loop.call_later(device.late_s, os.write, fd, bytes(packet))
            return
        os.write(fd, bytes(packet))

    def readable():
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError:  # the other end went away: stay up until the test ends us
            loop.remove_reader(fd)
            return
        framer.processIncomingPacket(data, answer, unit=[1, 2], single=False)

    loop.add_reader(fd, readable)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int, required=True)
    parser.add_argument("--rtu")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--late-ms", type=int, default=1500)
    args = parser.parse_args()

    device = Device(args.quiet)
    device.late_s = args.late_ms / 1000
    ctx = context(device)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    def toggle_mute():
        device.muted = not device.muted
        print("muted" if device.muted else "unmuted", flush=True)

    loop.add_signal_handler(signal.SIGUSR1, toggle_mute)

    server = await serve_tcp(args.tcp, ctx, device)
    port = server.sockets[0].getsockname()[1]
    print(f"ready tcp 127.0.0.1:{port}", flush=True)
    if args.rtu:
        serve_rtu(args.rtu, ctx, device)
        print(f"ready rtu {args.rtu}", flush=True)
    print("ready", flush=True)

    # A test run that dies without cleaning up must not leave the device running.
    parent = os.getppid()

    async def watch_parent():
        while os.getppid() == parent:
            await asyncio.sleep(0.5)
        stop.set()

    watcher = asyncio.create_task(watch_parent())
    await stop.wait()
    watcher.cancel()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
