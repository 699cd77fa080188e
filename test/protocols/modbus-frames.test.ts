// Cutting the bytes of a serial line into Modbus RTU answers (plugins/modbus/rtu-frames.ts): the
// port hands over chunks that say nothing about frames; the answer to each request is found by
// its unit, function and the length the request implies. Over a real line: modbus-rtu.test.ts.
import { describe, expect, it } from 'vitest';
import { answerLength, RtuFramer } from '../../plugins/modbus/rtu-frames';

/** A read request: unit, function, address, count (the CRC is not looked at). */
const request = (unit: number, fn: number, address: number, count: number): Buffer =>
  Buffer.from([unit, fn, address >> 8, address & 0xff, count >> 8, count & 0xff, 0, 0]);
const bytes = (...b: number[]): Buffer => Buffer.from(b);

describe('RTU framing', () => {
  it('knows how long each answer is', () => {
    expect(answerLength(3, 2)).toBe(9); // unit, fn, byte count, 4 data bytes, CRC
    expect(answerLength(4, 125)).toBe(255);
    expect(answerLength(1, 16)).toBe(7); // 16 coils in 2 bytes
    expect(answerLength(2, 17)).toBe(8); // 17 inputs in 3 bytes
    expect(answerLength(6, 1)).toBe(8);
    expect(answerLength(99, 1)).toBe(0);
  });

  it('gives the answer once all of it is there, however the bytes are cut', () => {
    const framer = new RtuFramer();
    const answer = bytes(1, 3, 4, 0xc8, 0x22, 0, 7, 0xaa, 0xbb);
    framer.request(request(1, 3, 0, 2));
    const out = [...answer].map((b) => framer.push(bytes(b)));
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(out.at(-1)).toEqual(answer);
    // One answer per request: more bytes give nothing until the next request.
    expect(framer.push(answer)).toBeNull();
  });

  it('finds the answer after noise, and an exception by its 5 bytes', () => {
    const framer = new RtuFramer();
    framer.request(request(7, 4, 10, 1));
    expect(framer.push(bytes(0x00, 0xff, 7))).toBeNull();
    expect(framer.push(bytes(4, 2, 0x10, 0x20, 0x11, 0x22, 0x99))).toEqual(bytes(7, 4, 2, 0x10, 0x20, 0x11, 0x22));
    framer.request(request(7, 3, 9000, 1));
    expect(framer.push(bytes(7, 0x83, 6, 0x01))).toBeNull();
    expect(framer.push(bytes(0x02))).toEqual(bytes(7, 0x83, 6, 1, 2));
  });

  it('drops what came before the request: a late answer to one that timed out', () => {
    const framer = new RtuFramer();
    framer.request(request(1, 3, 0, 1));
    expect(framer.push(bytes(1, 3, 2, 0))).toBeNull(); // the answer starts, then the request times out
    framer.request(request(1, 3, 0, 1));
    const answer = bytes(1, 3, 2, 0x12, 0x34, 0xab, 0xcd);
    expect(framer.push(answer)).toEqual(answer);
    // Another unit's answer on the bus is not ours; nor is anything when no request is out.
    framer.request(request(2, 3, 0, 1));
    expect(framer.push(answer)).toBeNull();
    expect(new RtuFramer().push(answer)).toBeNull();
    // A stream of garbage never grows without bound, and never throws.
    for (let i = 0; i < 100; i++) expect(framer.push(Buffer.alloc(100, 0x55))).toBeNull();
    framer.request(bytes(1));
    expect(framer.push(answer)).toBeNull();
  });
});
