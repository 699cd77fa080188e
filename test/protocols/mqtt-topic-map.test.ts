// The MQTT plugin's topic rules on their own: filters with + and #, templates, the default rule,
// rules that cannot work, and which filters are subscribed to.
import { describe, expect, it } from 'vitest';
import { covers, TopicMap, type TopicRule } from '../../plugins/mqtt/topic-map';

function mapOf(rules: TopicRule[]): TopicMap {
  const { map, problems } = TopicMap.compile(rules);
  expect(problems).toEqual([]);
  return map;
}

describe('MQTT topic rules', () => {
  it('the default rule drops the first level and joins the rest with "."', () => {
    const map = mapOf([{ filter: '#' }]);
    expect(map.resolve('lab/rig1/temp')).toEqual({ metric: 'rig1.temp', unit: null });
    expect(map.resolve('lab/rig1/psu/volts')).toEqual({ metric: 'rig1.psu.volts', unit: null });
    expect(map.resolve('temp')?.metric).toBe('temp'); // one level: the topic itself
    expect(map.resolve('lab//temp')?.metric).toBe('temp'); // empty levels leave no ".." behind
    expect(map.resolve('$SYS/broker/uptime')).toBeNull(); // a leading wildcard never matches $ topics
  });

  it('+ and # captures fill {1}, {2}; topic levels fill {t1}, {t2..}, {topic}', () => {
    const map = mapOf([
      { filter: 'lab/+/temp', metric: '{1}.temperature', unit: '°C' },
      { filter: 'lab/+/psu/#', metric: 'psu_{1}.{2}', unit: 'V' },
      { filter: 'site/+/+', metric: '{t1}-{2}-{1}' },
      { filter: 'plant/#', metric: 'p.{t2..}' },
      { filter: 'raw/#', metric: '{topic}' },
    ]);
    expect(map.resolve('lab/rig1/temp')).toEqual({ metric: 'rig1.temperature', unit: '°C' });
    expect(map.resolve('lab/rig2/psu/ch1/volts')).toEqual({ metric: 'psu_rig2.ch1.volts', unit: 'V' });
    expect(map.resolve('lab/rig2/psu')).toEqual({ metric: 'psu_rig2', unit: 'V' }); // # matches the parent too
    expect(map.resolve('site/a/b')?.metric).toBe('site-b-a');
    expect(map.resolve('plant/line3/oven/zone2')?.metric).toBe('p.line3.oven.zone2');
    expect(map.resolve('raw/x/y')?.metric).toBe('raw.x.y');
    expect(map.resolve('lab/rig1/humidity')).toBeNull(); // no rule: not recorded
    expect(map.resolve('site/a')).toBeNull(); // + needs a level
    expect(map.resolve('site/a/b/c')).toBeNull();
  });

  it('the first matching rule wins; an empty template uses the default', () => {
    const map = mapOf([
      { filter: 'lab/rig1/temp', metric: 'special' },
      { filter: 'lab/#', metric: '' },
    ]);
    expect(map.resolve('lab/rig1/temp')?.metric).toBe('special');
    expect(map.resolve('lab/rig2/temp')?.metric).toBe('rig2.temp');
    // The same answer again comes from the cache; it must still be right.
    expect(map.resolve('lab/rig1/temp')?.metric).toBe('special');
  });

  it('rules that cannot work are left out with a reason; the others still map', () => {
    const { map, problems } = TopicMap.compile([
      { filter: 'lab/#/temp' },
      { filter: 'lab/rig+/x' },
      { filter: '  ' },
      { filter: 'lab/+/temp', metric: '{2}.temp' },
      { filter: 'lab/x', metric: '{1}' },
      { filter: 'lab/x/y', metric: '{t3}.{t4}' },
      { filter: 'lab/+', metric: '{nope}' },
      { filter: 'lab/+', metric: '{1' },
      { filter: 'lab/+', qos: 2 },
      { filter: 'ok/+', metric: 'good.{1}' },
    ]);
    expect(problems).toEqual([
      'rule 1 ("lab/#/temp"): "#" must be a whole level, and the last one (like lab/#)',
      'rule 2 ("lab/rig+/x"): "+" must be a whole level (like lab/+/temp)',
      'rule 3 ("  "): the topic filter is empty',
      'rule 4 ("lab/+/temp"): {2} refers to wildcard 2, but the filter has 1',
      'rule 5 ("lab/x"): {1} refers to a wildcard, but the filter has none (use {t1}, {t2}… for its levels)',
      'rule 6 ("lab/x/y"): {t4} refers to level 4, but the filter\'s topics have 3',
      'rule 7 ("lab/+"): unknown placeholder {nope} in the metric (use {1}, {t1}, {t2..} or {topic})',
      'rule 8 ("lab/+"): unbalanced "{" or "}" in the metric (placeholders are {1}, {t1}, {t2..} or {topic})',
      'rule 9 ("lab/+"): QoS must be 0 or 1, not 2',
    ]);
    expect(map.size).toBe(1);
    expect(map.resolve('ok/7')?.metric).toBe('good.7');
  });

  it('subscribes once per covered topic, at the highest QoS of the rules it covers', () => {
    const map = mapOf([
      { filter: 'lab/rig1/temp', qos: 1 },
      { filter: 'lab/+/temp' },
      { filter: 'lab/#' },
      { filter: 'other/+' },
      { filter: 'other/+', qos: 1 },
      { filter: '$SYS/broker/load/#' },
    ]);
    expect(map.subscriptions()).toEqual([
      { filter: 'lab/#', qos: 1 },
      { filter: 'other/+', qos: 1 },
      { filter: '$SYS/broker/load/#', qos: 0 },
    ]);
  });

  it('covers() follows MQTT matching', () => {
    expect(covers('#', 'a/b')).toBe(true);
    expect(covers('#', '$SYS/x')).toBe(false);
    expect(covers('a/#', 'a')).toBe(true);
    expect(covers('a/+', 'a/b')).toBe(true);
    expect(covers('a/+', 'a/#')).toBe(false);
    expect(covers('a/+', 'a/b/c')).toBe(false);
    expect(covers('a/b', 'a/+')).toBe(false);
    expect(covers('+/+', 'a/+')).toBe(true);
  });

  it('keeps answering right past its cache size (topics made of ids)', () => {
    const map = mapOf([{ filter: 'dev/+/v', metric: 'd{1}' }]);
    for (let i = 0; i < 25_000; i++) expect(map.resolve(`dev/${i}/v`)?.metric).toBe(`d${i}`);
    expect(map.resolve('dev/3/v')?.metric).toBe('d3');
  });
});
