// Turning the 16-bit registers a device answers with into numbers. Modbus itself only knows
// 16-bit registers sent big-endian; wider values span 2 or 4 registers, and devices disagree on
// which comes first: "big" words put the most significant register first (ABCD, the order the
// standard's byte order suggests); "little" words, also called swapped words or CDAB, put the
// least significant first. A device's manual says which; the bytes inside each register stay
// big-endian either way.

export const VALUE_TYPES = ['u16', 's16', 'u32', 's32', 'f32', 'f64', 'bool'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const WORD_ORDERS = ['big', 'little'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];

/** How many registers a value of each type spans (a bool is one bit of a coil or input). */
export const REGISTERS: Readonly<Record<ValueType, number>> = {
  u16: 1,
  s16: 1,
  u32: 2,
  s32: 2,
  f32: 2,
  f64: 4,
  bool: 1,
};

/**
 * The value held in `words[at …]` (16-bit register values, 0–65535) read as `type`. Throws a
 * RangeError when the registers are not all there (a shorter answer than asked for).
 */
export function decodeRegisters(words: ArrayLike<number>, at: number, type: ValueType, order: WordOrder): number {
  const n = REGISTERS[type];
  if (at < 0 || at + n > words.length)
    throw new RangeError(`needs registers ${at}–${at + n - 1} of an answer of ${words.length}`);
  const view = new DataView(new ArrayBuffer(2 * n));
  for (let i = 0; i < n; i++) {
    // Word i of the value in most-significant-first order.
    const word = words[order === 'big' ? at + i : at + n - 1 - i] ?? 0;
    view.setUint16(2 * i, word & 0xffff);
  }
  switch (type) {
    case 'u16':
    case 'bool':
      return view.getUint16(0);
    case 's16':
      return view.getInt16(0);
    case 'u32':
      return view.getUint32(0);
    case 's32':
      return view.getInt32(0);
    case 'f32':
      return view.getFloat32(0);
    case 'f64':
      return view.getFloat64(0);
  }
}

/** The registers that hold `value` as `type`: the inverse of decodeRegisters (for tests, writes). */
export function encodeRegisters(value: number, type: ValueType, order: WordOrder): number[] {
  const n = REGISTERS[type];
  const view = new DataView(new ArrayBuffer(2 * n));
  switch (type) {
    case 'u16':
    case 'bool':
      view.setUint16(0, value);
      break;
    case 's16':
      view.setInt16(0, value);
      break;
    case 'u32':
      view.setUint32(0, value);
      break;
    case 's32':
      view.setInt32(0, value);
      break;
    case 'f32':
      view.setFloat32(0, value);
      break;
    case 'f64':
      view.setFloat64(0, value);
      break;
  }
  const words = Array.from({ length: n }, (_, i) => view.getUint16(2 * i));
  return order === 'big' ? words : words.reverse();
}

/** The engineering value: raw × scale + offset (a meter's 2345 in 0.1 V steps is 234.5 V). */
export function scaled(raw: number, scale: number, offset: number): number {
  return raw * scale + offset;
}
