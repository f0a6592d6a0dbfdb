import { sink, source } from 'idemflow';
import rule from '../../compiler/rules/non-idempotent-sink-under-retry.ts';
import { readings } from '../helpers/fixtures.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const grouped = () => source.memory(readings).groupBy('sensorId').count();
const write = () => {};

ruleTester(rule, {
  valid: [
    { name: 'idempotent custom sink with retries', pipeline: () => grouped().sink(sink({ write, idempotent: true })) },
    { name: 'non-idempotent custom sink without retries', pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: 'none' })) },
  ],
  invalid: [
    { name: 'non-idempotent with the default retry', pipeline: () => grouped().sink(sink({ name: 'webhook', write, idempotent: false })), errors: [{ messageId: 'retried' }] },
    { name: 'non-idempotent with explicit retries', pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: { retries: 5 } })), errors: [{ messageId: 'retried' }] },
  ],
});
