// A number's MCAP message made from the log line's own text, the hot path of an MCAP export: its
// value copied as the client wrote it, its time in nanoseconds, its tags' part made once per tag
// set. Used by the export on the main thread and by its chunk-building worker threads alike.

/** The point's tags without the run id (every point of the run has it; the metadata holds it). */
export function ownTags(tags: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!tags) return undefined;
  const rest = Object.entries(tags).filter(([k]) => k !== 'run_id');
  return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}

const VALUE_HEAD = Buffer.from('{"value":');

/**
 * A number's message, `{"value":<its text as the log wrote it><tags>}`, put together in one scratch
 * buffer: the chunk builder copies it, so nothing is allocated per point (a view per length is
 * kept), and the value's few ASCII characters are copied in a loop, cheaper here than a call into
 * Buffer.write.
 */
export class MessageData {
  private bytes = Buffer.alloc(4096);
  private views: Buffer[] = [];
  private readonly tails = new TagsTails();

  constructor() {
    VALUE_HEAD.copy(this.bytes);
  }

  number(valueText: string, tagsJson: string): Buffer {
    const tail = this.tails.of(tagsJson);
    const need = VALUE_HEAD.length + valueText.length + tail.length;
    if (need > this.bytes.length) {
      this.bytes = Buffer.alloc(need * 2);
      VALUE_HEAD.copy(this.bytes);
      this.views = [];
    }
    const b = this.bytes;
    let n = VALUE_HEAD.length;
    for (let i = 0; i < valueText.length; i++) b[n++] = valueText.charCodeAt(i);
    if (tail.length === 1) b[n++] = tail[0]!;
    else n += tail.copy(b, n);
    return (this.views[n] ??= b.subarray(0, n));
  }
}

const NO_TAGS_TAIL: Buffer = Buffer.from('}');
/** Distinct tag sets kept (a run's points share a handful). */
const TAG_SETS = 4096;

/** What follows a number's value: `,"tags":{…}}` of its own tags, or `}`; made once per tag set. */
class TagsTails {
  private readonly byJson = new Map<string, Buffer>();
  private lastJson = '';
  private last: Buffer = NO_TAGS_TAIL;

  of(tagsJson: string): Buffer {
    if (tagsJson === '') return NO_TAGS_TAIL;
    // Consecutive points mostly carry the same set: comparing with the last beats hashing.
    if (tagsJson === this.lastJson) return this.last;
    let tail = this.byJson.get(tagsJson);
    if (!tail) {
      const own = ownTags(JSON.parse(tagsJson) as Record<string, string>);
      tail = own ? Buffer.from(`,"tags":${JSON.stringify(own)}}`) : NO_TAGS_TAIL;
      if (this.byJson.size >= TAG_SETS) this.byJson.clear();
      this.byJson.set(tagsJson, tail);
    }
    this.lastJson = tagsJson;
    this.last = tail;
    return tail;
  }
}

const MS_NS = 1_000_000n;

/**
 * Epoch ms to ns exactly as nanoseconds() does (whole ms × 10⁶ plus the fraction rounded), with
 * the whole milliseconds' BigInt kept while they repeat and stepped while they count up by one.
 */
export class NanosecondClock {
  private whole = NaN;
  private wholeNs = 0n;

  of(ms: number): bigint {
    const whole = Math.floor(ms);
    if (whole !== this.whole) {
      this.wholeNs = whole === this.whole + 1 ? this.wholeNs + MS_NS : BigInt(whole) * MS_NS;
      this.whole = whole;
    }
    const frac = ms - whole;
    return frac === 0 ? this.wholeNs : this.wholeNs + BigInt(Math.round(frac * 1e6));
  }
}
