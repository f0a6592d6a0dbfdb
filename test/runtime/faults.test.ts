import { describe, expect, it } from 'vitest';
import { describeFaults, parseFaults } from '../../runners/local/index.ts';

describe('--faults', () => {
  it('parses every fault', () => {
    expect(parseFaults('lost-ack=0.1, write-fail=0.05,crash-at=3+9,duplicate=0.01,loss=0.02')).toEqual({
      lostAck: 0.1,
      writeFail: 0.05,
      crashAt: [3, 9],
      duplicate: 0.01,
      loss: 0.02,
    });
    expect(describeFaults(parseFaults('crash-at=2,lost-ack=0.5'))).toBe('lost-ack=0.5,crash-at=2');
    expect(parseFaults('crash-after-checkpoint=4+7').crashAfterCheckpoint).toEqual([4, 7]);
    expect(describeFaults(parseFaults('crash-after-checkpoint=4'))).toBe('crash-after-checkpoint=4');
    expect(parseFaults('crash-mid-append=2+5').crashMidAppend).toEqual([2, 5]);
    expect(describeFaults(parseFaults('crash-mid-append=3'))).toBe('crash-mid-append=3');
    expect(describeFaults(parseFaults(''))).toBe('none');
  });
  it.each([
    ['lost-ack=2', /lost-ack takes a probability between 0 and 1, got "2"/],
    ['lost-ack', /lost-ack takes a probability/],
    ['crash-at=0', /crash-at takes batch numbers >= 1/],
    ['crash-after-checkpoint=x', /crash-after-checkpoint takes batch numbers >= 1/],
    ['crash-mid-append=0', /crash-mid-append takes append numbers >= 1/],
    [
      'explode=1',
      /unknown fault "explode" \(known: write-fail, lost-ack, duplicate, loss, crash-at, crash-after-checkpoint, crash-mid-append\)/,
    ],
  ])('refuses %s, naming the part', (spec, message) => {
    expect(() => parseFaults(spec)).toThrow(message);
  });
});
