import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const BUMP = 'UPDATE web.hits SET n = n + 1 WHERE page = ?';`;

/**
 * Round 10 of unseen driver code (issue 15, U10D): shapes the lint did not read. Each invalid case failed
 * before its fix (checked by stashing it); each valid one is its look-alike that stays clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'an AWS Lambda MSK handler that writes whole totals keyed by the record: a redelivered batch overwrites',
      code: code`${setUp}
      import type { MSKEvent } from 'aws-lambda';
      export const handler = async (event: MSKEvent) => {
        for (const records of Object.values(event.records))
          for (const r of records)
            await client.execute('UPDATE web.totals SET n = ? WHERE page = ?', [r.offset, r.key], { prepare: true });
      };
    `,
    },
    {
      name: "a worker thread's parentPort 'message' listener, fed by an HTTP server: no broker delivers it again",
      code: code`${setUp}
      import { parentPort } from 'node:worker_threads';
      parentPort!.on('message', async (page: string) => {
        await client.execute(BUMP, [page], { prepare: true });
      });
    `,
    },
    {
      name: 'a function typed by an event of no Lambda event source (an API Gateway request) runs once',
      code: code`${setUp}
      import type { APIGatewayProxyEvent } from 'aws-lambda';
      export const handler = async (event: APIGatewayProxyEvent) => {
        await client.execute(BUMP, [event.path], { prepare: true });
        return { statusCode: 204 };
      };
    `,
    },
    {
      name: 'a statement made by replace() and concat() whose text sets a whole value',
      code: code`${setUp}
      const TEMPLATE = 'UPDATE {table} SET n = ? WHERE page = ?';
      export const save = (page: string, n: number) =>
        client.execute(TEMPLATE.replace('{table}', 'web.totals'), [n, page], { isIdempotent: true });
      export const save2 = (page: string, n: number) =>
        client.execute('UPDATE '.concat('web.totals', ' SET n = ? WHERE page = ?'), [n, page], { isIdempotent: true });
    `,
    },
    {
      name: 'a Temporal activity proxied with retry.maximumAttempts: 1 runs once',
      code: code`${setUp}
      import { proxyActivities } from '@temporalio/workflow';
      export const activities = {
        async addHit(page: string) {
          await client.execute(BUMP, [page], { prepare: true });
        },
      };
      const { addHit } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });
      export const pageViewed = (page: string) => addHit(page);
    `,
    },
    {
      name: 'Effect.retry around a read: the counter after it is sent once',
      code: code`${setUp}
      import { Effect, Schedule } from 'effect';
      const read = (page: string) =>
        Effect.tryPromise(() => client.execute('SELECT n FROM web.hits WHERE page = ?', [page])).pipe(Effect.retry(Schedule.recurs(3)));
      export async function show(page: string) {
        await Effect.runPromise(read(page));
        await client.execute(BUMP, [page], { prepare: true });
      }
    `,
    },
  ],
  invalid: [
    {
      name: 'an AWS Lambda MSK handler: a failed invocation hands the whole batch over again',
      code: code`${setUp}
      import type { MSKEvent } from 'aws-lambda';
      export const handler = async (event: MSKEvent): Promise<void> => {
        for (const records of Object.values(event.records))
          for (const r of records) await client.execute(BUMP, [r.key], { prepare: true });
      };
    `,
      errors: [{ messageId: 'consumerCallback', line: 9, column: 49, message: /AWS Lambda MSKEvent handler/ }],
    },
    {
      name: 'an SQS handler with a partial batch response, typed by the const (SQSHandler)',
      code: code`${setUp}
      import type { SQSHandler } from 'aws-lambda';
      export const handler: SQSHandler = async (event) => {
        for (const record of event.Records) await client.execute(BUMP, [record.body], { prepare: true });
      };
    `,
      errors: [{ messageId: 'consumerCallback', line: 8, column: 58 }],
    },
    {
      name: 'a Lambda handler wrapped by middy: the function handed over is typed by its event',
      code: code`${setUp}
      import middy from '@middy/core';
      import type { KinesisStreamEvent } from 'aws-lambda';
      async function countViews(event: KinesisStreamEvent) {
        await Promise.all(event.Records.map((r) => client.execute(BUMP, [r.kinesis.partitionKey], { prepare: true })));
      }
      export const handler = middy(countViews);
    `,
      errors: [{ messageId: 'consumerCallback', line: 9, column: 59 }],
    },
    {
      name: "a counter statement made by 'UPDATE '.concat(…), with an unknown table, sent as idempotent",
      code: code`${setUp}
      export const add = (table: string, page: string) =>
        client.execute('UPDATE '.concat(table, ' SET n = n + 1 WHERE page = ?'), [page], { isIdempotent: true });
    `,
      errors: [{ messageId: 'idempotentFlag', line: 7, column: 16 }],
    },
    {
      name: 'a counter statement filled in by replace() / replaceAll() of a template',
      code: code`${setUp}
      const INCREMENT = 'UPDATE {table} SET {col} = {col} + 1 WHERE page = ?';
      export const add = (page: string) =>
        client.execute(INCREMENT.replace('{table}', 'web.hits').replaceAll('{col}', 'n'), [page], { isIdempotent: true });
    `,
      errors: [{ messageId: 'idempotentFlag', line: 8, column: 16 }],
    },
    {
      name: 'a statement map made by Object.fromEntries, read by name',
      code: code`${setUp}
      const STATEMENTS = Object.fromEntries([['hit', BUMP], ['total', 'UPDATE web.totals SET n = ? WHERE page = ?']]);
      export const add = (page: string) => client.execute(STATEMENTS.hit!, [page], { isIdempotent: true });
    `,
      errors: [{ messageId: 'idempotentFlag', line: 7, column: 51 }],
    },
    {
      name: 'a statement written as a tagged template, sent as stmt.query',
      code: code`${setUp}
      const cql = (strings: TemplateStringsArray, ...params: unknown[]) => ({ query: strings.join('?'), params });
      export async function add(page: string) {
        const stmt = cql\`UPDATE web.hits SET n = n + \${1} WHERE page = \${page}\`;
        await client.execute(stmt.query, stmt.params, { isIdempotent: true });
      }
    `,
      errors: [{ messageId: 'idempotentFlag', line: 9, column: 22 }],
    },
    {
      name: "a Temporal activity: the workflow's proxy retries it (by default without limit)",
      code: code`${setUp}
      import { proxyActivities } from '@temporalio/workflow';
      export const activities = {
        async addHit(page: string) {
          await client.execute(BUMP, [page], { prepare: true });
        },
      };
      const { addHit } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5 } });
      export const pageViewed = (page: string) => addHit(page);
    `,
      errors: [{ messageId: 'retriedCaller', line: 9, column: 24, message: /Temporal activity/ }],
    },
    {
      name: 'Effect.retry(Schedule) over an effect a function makes with Effect.tryPromise({ try })',
      code: code`${setUp}
      import { Effect, Schedule } from 'effect';
      const addHit = (page: string) =>
        Effect.tryPromise({ try: () => client.execute(BUMP, [page], { prepare: true }), catch: (e) => new Error(String(e)) });
      export const hit = (page: string) => addHit(page).pipe(Effect.retry(Schedule.recurs(3)));
    `,
      errors: [{ messageId: 'retryHelper', line: 8, column: 47, message: /Effect\.retry/ }],
    },
  ],
});
