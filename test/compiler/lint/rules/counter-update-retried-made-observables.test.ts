import rule from '../../../../compiler/lint/rules/counter-update-retried.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

const setUp = `
import { Observable, defer, from, lastValueFrom, retry } from 'rxjs';
import { Client } from 'cassandra-driver';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const ADD = 'UPDATE video_watch SET seconds = seconds + ? WHERE video_id = ?';`;

/**
 * An observable made and returned by a function of the program, then piped
 * through retry(): each resubscription runs its subscribe callback again
 * (unseen round 7, U7D; the invalid case failed before the fix). A helper
 * returning `from(promise)` replays one write's outcome: clean.
 */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a helper returns from(promise): retry resubscribes to one promise',
      code: code`${setUp}
      function addOnce(id: string, s: number) {
        return from(client.execute(ADD, [s, id], { prepare: true }));
      }
      export const record = (id: string, s: number) => lastValueFrom(addOnce(id, s).pipe(retry(3)));
    `,
    },
  ],
  invalid: [
    {
      name: 'a helper returns new Observable(…) / defer(…) that sends the counter, piped through retry',
      code: code`${setUp}
      function addWatch(id: string, s: number): Observable<void> {
        return new Observable<void>((subscriber) => {
          client
            .execute(ADD, [s, id], { prepare: true })
            .then(() => subscriber.complete())
            .catch((err: unknown) => subscriber.error(err));
        });
      }
      const addLater = (id: string, s: number) => defer(() => client.execute(ADD, [s, id], { prepare: true }));
      export const record = (id: string, s: number) => lastValueFrom(addWatch(id, s).pipe(retry({ count: 3 })));
      export const recordLater = (id: string, s: number) => lastValueFrom(addLater(id, s).pipe(retry(2)));
    `,
      errors: [
        { messageId: 'retryHelper', line: 10, column: 14, message: /retry/ },
        { messageId: 'retryHelper', line: 15, column: 70, message: /retry/ },
      ],
    },
  ],
});
